-- grain: one row per model, business unit, team and country of eligible seats (as of $end_date):
-- n_invocations, the seats' invocations in weeks whose Monday is in [$start_date, $end_date]
with eligible as (
    select * from (QUERY_ADOPTION_ELIGIBLE)
),

usage as (
    select
        model_id,
        user_id,
        sum(n_invocations) as n_invocations
    from rollup_usage_user_week
    where week_start between cast($start_date as date) and cast($end_date as date)
    group by model_id, user_id
),

final as (
    select
        e.model_id,
        e.business_unit,
        e.team,
        e.country,
        cast(coalesce(sum(u.n_invocations), 0) as bigint) as n_invocations
    from eligible as e
    left join usage as u using (model_id, user_id)
    group by all
    order by all
)

select * from final
