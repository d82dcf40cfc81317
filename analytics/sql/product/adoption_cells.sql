-- grain: one row per model, business unit, team and country of eligible seats (model-user pairs,
-- as of $end_date): n_eligible; n_tried, seats that invoked the model in a week whose Monday is in
-- [$start_date, $end_date]; n_regular, tried seats that also invoked it in at least 3 of the 4
-- weeks up to the week of $end_date (nested, even for windows under 4 weeks). Counts add up across
-- models, teams and countries. Reads the per-user activity masks, never the user-weeks.
with eligible as (
    select * from (QUERY_ADOPTION_ELIGIBLE)
),

-- weeks are numbered from Monday 1970-01-05: the window's first and last week (the 4 "regular"
-- weeks are the last one and the 3 before it)
bounds as (
    select
        cast(ceil((cast($start_date as date) - date '1970-01-05') / 7) as integer) as first_in,
        cast(floor((cast($end_date as date) - date '1970-01-05') / 7) as integer) as last_in
),

-- each 63-week block's bit positions that fall in the window and in the recent span (lo > hi: none)
spans as (
    select
        a.model_id,
        a.user_id,
        a.active_weeks,
        greatest(b.first_in - 63 * a.block, 0) as lo,
        least(b.last_in - 63 * a.block, 62) as hi,
        greatest(b.last_in - 3 - 63 * a.block, 0) as recent_lo
    from rollup_usage_user_activity as a
    cross join bounds as b
),

usage as (
    select
        model_id,
        user_id,
        bool_or(
            case
                -- bits lo..hi set: (2^63 - 1) >> (62 - (hi - lo)) has hi - lo + 1 ones
                when hi >= lo then (active_weeks & ((9223372036854775807 >> (62 - (hi - lo))) << lo)) <> 0
                else false
            end
        ) as tried,
        sum(
            case
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
        count(*) filter (where u.tried) as n_tried,
        count(*) filter (where u.tried and u.n_recent_active_weeks >= 3) as n_regular
    from eligible as e
    left join usage as u using (model_id, user_id)
    group by all
    order by all
)

select * from final
