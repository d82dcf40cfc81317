-- grain: one row per model and user with an invocation DATED in [$start_date, $end_date], with
-- n_invocations in the window. Whole weeks inside the window come from the weekly rollup; the days
-- of a partial first or last week (a window not starting on a Monday or not ending on a Sunday)
-- come from the daily rollup, so every edge is exact and no raw log is read.
with bounds as (
    -- weeks numbered from Monday 1970-01-05; full weeks have their Monday and Sunday in the window
    select
        cast(ceil((cast($start_date as date) - date '1970-01-05') / 7) as integer) as first_full,
        cast(floor((cast($end_date as date) - date '1970-01-05' + 1) / 7) as integer) - 1 as last_full
),

full_span as (
    select
        date '1970-01-05' + 7 * first_full as full_from,
        date '1970-01-05' + 7 * (last_full + 1) - 1 as full_to,
        first_full <= last_full as has_full
    from bounds
),

weeks as (
    select w.model_id, w.user_id, w.n_invocations
    from rollup_usage_user_week as w, full_span as f
    where f.has_full and w.week_start between f.full_from and f.full_to - 6
),

edge_days as (
    select d.model_id, d.user_id, d.n_invocations
    from rollup_usage_user_day as d, full_span as f
    where d.day between cast($start_date as date) and cast($end_date as date)
        and (not f.has_full or d.day < f.full_from or d.day > f.full_to)
),

both_sources as (
    select * from weeks
    union all
    select * from edge_days
),

final as (
    select model_id, user_id, cast(sum(n_invocations) as bigint) as n_invocations
    from both_sources
    group by all
    having sum(n_invocations) > 0
)

select * from final
