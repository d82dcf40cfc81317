-- grain: one row per feature and week (monday): the merged profile of one model version
with profiles as (
    select * from drift_profiles
    union all by name
    select * from drift_profiles_prediction
),

days as (
    select
        *,
        cast(date_trunc('week', day) as date) as week_start
    from profiles
    where
        model_id = $model_id
        and version = $version
        and day between $start_date and $end_date
        and ($feature is null or feature = $feature)
),

totals as (
    select
        feature,
        week_start,
        any_value(kind) as kind,
        sum(n) as n,
        sum(n_null) as n_null,
        sum(sum_value) as sum_value,
        sum(sum_sq) as sum_sq,
        min(min_value) as min_value,
        max(max_value) as max_value
    from days
    group by all
),

bins as (
    select
        feature,
        week_start,
        pos,
        sum(c) as c,
        sum(s) as s
    from (
        select
            feature,
            week_start,
            unnest(bin_counts) as c,
            unnest(bin_sums) as s,
            generate_subscripts(bin_counts, 1) as pos
        from days
    )
    group by all
),

lists as (
    select
        feature,
        week_start,
        list(c order by pos) as bin_counts,
        list(s order by pos) as bin_sums
    from bins
    group by all
),

final as (
    select totals.*, lists.bin_counts, lists.bin_sums
    from totals
    left join lists using (feature, week_start)
    order by feature, week_start
)

select * from final
