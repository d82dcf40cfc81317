-- grain: one row per segment kind, segment, label and score bin (classifiers; one per segment for
-- regressors): labelled predictions of $model_id (every version) whose week of prediction starts in
-- $start_date..$end_date, for a model of the business units $units (all when null)
with in_scope as (
    select model_id
    from models
    where model_id = $model_id and ($units is null or list_contains($units, business_unit))
),

final as (
    select
        s.segment_kind,
        s.segment,
        s.label,
        s.score_bin,
        cast(sum(s.n) as bigint) as n,
        sum(s.sum_abs_err) as sum_abs_err
    from drift_segment_performance as s
    inner join in_scope using (model_id)
    where s.week_start between $start_date and $end_date
    group by all
)

select * from final
