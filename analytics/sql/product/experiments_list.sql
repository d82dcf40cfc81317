-- grain: one row per A/B test (experiment_defs) whose model is in scope and that overlaps
-- [$start_date, $end_date]; with the number of units and metrics recorded
with units as (
    select experiment_id, count(distinct unit_id) as n_units, count(distinct metric) as n_metrics
    from experiments
    group by experiment_id
),

final as (
    select
        d.experiment_id,
        d.model_id,
        m.name as model_name,
        m.business_unit,
        d.name,
        d.hypothesis,
        d.control,
        d.primary_metric,
        d.started_at,
        d.ended_at,
        d.status,
        coalesce(u.n_units, 0) as n_units,
        coalesce(u.n_metrics, 0) as n_metrics
    from experiment_defs as d
    left join models as m using (model_id)
    left join units as u using (experiment_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
        and (d.started_at is null or cast(timezone('UTC', d.started_at) as date) <= cast($end_date as date))
        and (d.ended_at is null or cast(timezone('UTC', d.ended_at) as date) >= cast($start_date as date))
    order by d.started_at desc nulls last, d.experiment_id
)

select * from final
