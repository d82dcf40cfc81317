-- grain: one row per month (first day) with at least one deployment in [$start_date, $end_date]:
-- successful production deployments and all deployment attempts
with deps as (
    select d.*, m.business_unit
    from deployments as d
    left join models as m using (model_id)
    where cast(timezone('UTC', d.deployed_at) as date) between cast($start_date as date)
        and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
),

final as (
    select
        cast(date_trunc('month', timezone('UTC', deployed_at)) as date) as month,
        count(*) filter (where environment = 'production' and status = 'success')
            as n_production_deployments,
        count(*) as n_deployments
    from deps
    group by all
    order by month
)

select * from final
