-- grain: one row per model, business unit, team and country of eligible users: eligible users (as of
-- $end_date), users who invoked the model in weeks starting in [$start_date, $end_date] ("tried"), and
-- regular users (invoked in at least 3 of the 4 weeks up to the week of $end_date). Counts are
-- model-user pairs, so they add up across models, teams and countries.
with eligible as (
    select e.model_id, e.user_id, e.team, e.country, m.business_unit
    from eligible_users as e
    inner join models as m using (model_id)
    where (e.eligible_from is null or e.eligible_from <= cast($end_date as date))
        and ($business_units is null or list_contains($business_units, m.business_unit))
        and ($countries is null or list_contains($countries, e.country))
),

usage as (
    select
        model_id,
        user_id,
        sum(n_invocations) filter (
            where week_start between cast($start_date as date) and cast($end_date as date)
        ) as n_invocations,
        count(distinct week_start) filter (
            where n_invocations > 0
            and week_start between cast(date_trunc('week', cast($end_date as date)) as date) - 21
            and cast($end_date as date)
        ) as n_recent_active_weeks
    from rollup_usage_user_week
    where week_start between least(
        cast($start_date as date), cast(date_trunc('week', cast($end_date as date)) as date) - 21
    ) and cast($end_date as date)
    group by model_id, user_id
),

joined as (
    select
        e.*,
        coalesce(u.n_invocations, 0) as n_invocations,
        coalesce(u.n_recent_active_weeks, 0) as n_recent_active_weeks
    from eligible as e
    left join usage as u using (model_id, user_id)
),

final as (
    select
        model_id,
        business_unit,
        coalesce(team, '(no team)') as team,
        coalesce(country, '(no country)') as country,
        count(*) as n_eligible,
        count(*) filter (where n_invocations > 0) as n_tried,
        count(*) filter (where n_recent_active_weeks >= 3) as n_regular,
        cast(sum(n_invocations) as bigint) as n_invocations
    from joined
    group by all
    order by all
)

select * from final
