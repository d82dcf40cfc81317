-- grain: one row (or none) per A/B test: the definition of $experiment_id when its model is in the
-- business units of the scope
with final as (
    select d.*
    from experiment_defs as d
    inner join models as m using (model_id)
    where d.experiment_id = $experiment_id
        and ($business_units is null or list_contains($business_units, m.business_unit))
)

select * from final
