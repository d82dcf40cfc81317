-- grain: one row per model, business unit, team and country of eligible seats (model-user pairs,
-- as of $end_date): n_eligible; n_tried, seats with an invocation dated in [$start_date,
-- $end_date] (exact at the window's edges, see adoption_window_use); n_regular, tried seats that
-- also invoked the model in at least 3 of the 4 weeks up to the week of $end_date, or of the newest
-- usage when the window runs past it (a quarter not over yet) (nested, even for
-- windows under 4 weeks); n_invocations, the seats' invocations dated in the window. Counts add up
-- across models, teams and countries.
with eligible as (
    select * from (QUERY_ADOPTION_ELIGIBLE)
),

window_use as (
    select * from (QUERY_ADOPTION_WINDOW_USE)
),

-- the 4 "regular" weeks are the week of $end_date (or of the newest usage, if earlier) and the 3
-- before it (weeks numbered from 1970-01-05)
newest as (
    select max(week_start) as newest_week
    from rollup_usage_user_week
),

bounds as (
    select
        cast(floor((
            least(cast($end_date as date), coalesce(newest_week, cast($end_date as date)))
            - date '1970-01-05'
        ) / 7) as integer) as last_in
    from newest
),

spans as (
    select
        a.model_id,
        a.user_id,
        a.active_weeks,
        greatest(b.last_in - 3 - 63 * a.block, 0) as recent_lo,
        least(b.last_in - 63 * a.block, 62) as hi
    from rollup_usage_user_activity as a
    cross join bounds as b
),

recent as (
    select
        model_id,
        user_id,
        sum(
            case
                -- bits lo..hi set: (2^63 - 1) >> (62 - (hi - lo)) has hi - lo + 1 ones
                when hi >= recent_lo
                    then bit_count(
                        active_weeks & ((9223372036854775807 >> (62 - (hi - recent_lo))) << recent_lo)
                    )
                else 0
            end
        ) as n_recent_active_weeks
    from spans
    group by model_id, user_id
),

final as (
    select
        e.model_id,
        e.business_unit,
        e.team,
        e.country,
        count(*) as n_eligible,
        count(*) filter (where u.user_id is not null) as n_tried,
        count(*) filter (
            where u.user_id is not null and r.n_recent_active_weeks >= 3
        ) as n_regular,
        cast(coalesce(sum(u.n_invocations), 0) as bigint) as n_invocations
    from eligible as e
    left join window_use as u using (model_id, user_id)
    left join recent as r using (model_id, user_id)
    group by all
    order by all
)

select * from final
