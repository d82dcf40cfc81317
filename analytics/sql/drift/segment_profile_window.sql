-- grain: one row per segment kind and segment: the merged profile of the score (pseudo-feature
-- 'prediction') of $model_id on the bins of $version over $start_date..$end_date, for a model of
-- the business units $units (all when null); counts and per-bin sums are added across days
with in_scope as (
    select model_id
    from models
    where model_id = $model_id and ($units is null or list_contains($units, business_unit))
),

days as (
    select p.*
    from drift_segment_profiles as p
    inner join in_scope using (model_id)
    where p.version = $version and p.day between $start_date and $end_date
),

totals as (
    select
        segment_kind,
        segment,
        any_value(kind) as kind,
        cast(sum(n) as bigint) as n,
        cast(sum(n_null) as bigint) as n_null,
        sum(sum_value) as sum_value,
        sum(sum_sq) as sum_sq,
        min(min_value) as min_value,
        max(max_value) as max_value
    from days
    group by segment_kind, segment
),

bins as (
    select
        segment_kind,
        segment,
        pos,
        cast(sum(c) as bigint) as c,
        sum(s) as s
    from (
        select
            segment_kind,
            segment,
            unnest(bin_counts) as c,
            unnest(bin_sums) as s,
            generate_subscripts(bin_counts, 1) as pos
        from days
    )
    group by segment_kind, segment, pos
),

lists as (
    select
        segment_kind,
        segment,
        list(c order by pos) as bin_counts,
        list(s order by pos) as bin_sums
    from bins
    group by segment_kind, segment
),

final as (
    select totals.*, lists.bin_counts, lists.bin_sums
    from totals
    left join lists using (segment_kind, segment)
    order by segment_kind, segment
)

select * from final
