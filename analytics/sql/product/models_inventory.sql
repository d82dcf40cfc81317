-- grain: one row per model in the business units of the scope (inventory with its latest
-- registered version)
with latest_version as (
    select model_id, arg_max(version, registered_at) as latest_version
    from model_versions
    group by model_id
),

final as (
    select m.*, v.latest_version
    from models as m
    left join latest_version as v using (model_id)
    where $business_units is null or list_contains($business_units, m.business_unit)
    order by m.business_unit, m.name
)

select * from final
