-- grain: one row per model in the business units of the scope: model_id, name, business_unit
with final as (
    select model_id, name, business_unit
    from models
    where $business_units is null or list_contains($business_units, business_unit)
)

select * from final
