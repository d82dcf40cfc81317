-- grain: one row per feature: the merged profile of one model version over one window of days
-- (counts and per-bin sums are added element by element across days)
with profiles as (
    select * from drift_profiles
    union all by name
    select * from drift_profiles_prediction
),

days as (
    select *
    from profiles
    where
        model_id = $model_id
        and version = $version
        and day between $start_date and $end_date
),

totals as (
    select
        feature,
        any_value(kind) as kind,
        sum(n) as n,
        sum(n_null) as n_null,
        sum(sum_value) as sum_value,
        sum(sum_sq) as sum_sq,
        min(min_value) as min_value,
        max(max_value) as max_value
    from days
    group by feature
),

bins as (
    select
        feature,
        pos,
        sum(c) as c,
        sum(s) as s
    from (
        select
            feature,
            unnest(bin_counts) as c,
            unnest(bin_sums) as s,
            generate_subscripts(bin_counts, 1) as pos
        from days
    )
    group by feature, pos
),

lists as (
    select
        feature,
        list(c order by pos) as bin_counts,
        list(s order by pos) as bin_sums
    from bins
    group by feature
),

final as (
    select totals.*, lists.bin_counts, lists.bin_sums
    from totals
    left join lists using (feature)
    order by feature
)

select * from final
