-- grain: one row per week (monday, UTC) starting in [$start_date, $end_date]: distinct active users
-- (at least one invocation of any model in scope), invocations and all interaction events
with usage as (
    select u.*
    from rollup_usage_user_week as u
    inner join models as m using (model_id)
    where u.week_start between cast($start_date as date) and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
        and ($countries is null or list_contains($countries, u.country))
        and ($model_ids is null or list_contains($model_ids, u.model_id))
),

final as (
    select
        week_start,
        count(distinct user_id) filter (where n_invocations > 0) as n_active_users,
        cast(sum(n_invocations) as bigint) as n_invocations,
        cast(sum(n_events) as bigint) as n_events
    from usage
    group by week_start
    order by week_start
)

select * from final
