-- grain: one row per month (of the window and the year before) with the number of models in each stage
-- The inventory's stage is the truth for today; deployments date it. A production model counts as
-- production from its first successful production deployment (a pilot before that); a pilot stays a
-- pilot even when trialled in production; retired models count as retired from their last deployment.
with months as (
    select cast(m as date) as month
    from range(
        date_trunc('month', cast($start_date as date) - interval 1 year),
        date_trunc('month', cast($end_date as date)) + interval 1 month,
        interval 1 month
    ) as t (m)  -- noqa: AL05
),

first_prod as (
    select model_id, min(deployed_at) as first_production_at, max(deployed_at) as last_deployed_at
    from deployments
    where environment = 'production' and status = 'success'
    group by model_id
),

scoped as (
    select m.model_id, m.stage, m.created_at, f.first_production_at, f.last_deployed_at
    from models as m
    left join first_prod as f using (model_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
),

final as (
    select
        months.month,
        count(*) filter (
            where s.stage = 'production'
            and coalesce(s.first_production_at, s.created_at) < months.month + interval 1 month
        ) as n_production,
        count(*) filter (
            where s.stage = 'retired'
            and coalesce(s.last_deployed_at, s.created_at) < months.month + interval 1 month
        ) as n_retired,
        count(*) filter (
            where s.created_at < months.month + interval 1 month
            and (
                s.stage = 'pilot'
                or (
                    s.stage = 'production'
                    and coalesce(s.first_production_at, s.created_at) >= months.month + interval 1 month
                )
            )
        ) as n_pilot
    from months
    cross join scoped as s
    group by months.month
    order by months.month
)

select * from final
