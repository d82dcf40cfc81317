-- grain: one row per group of the model's sensitive attribute: confusion counts of labelled
-- predictions made in [$start_at, $end_at) (predicted positive = prediction, else score >= $threshold)
with scored as (
    select
        request_id,
        coalesce(prediction, case when score >= $threshold then 1.0 else 0.0 end) >= 0.5 as is_selected
    from predictions
    where
        model_id = $model_id
        and prediction_at >= $start_at
        and prediction_at < $end_at
),

groups as (
    select
        request_id,
        arg_max(coalesce(value_cat, cast(value_num as varchar)), feature_at) as group_value
    from features
    where
        model_id = $model_id
        and feature = $attribute
        and feature_at >= $start_at - interval 1 day
        and feature_at < $end_at + interval 1 day
    group by request_id
),

labelled as (
    select
        g.group_value,
        s.is_selected,
        o.label >= 0.5 as is_positive
    from scored as s
    inner join groups as g using (request_id)
    inner join outcomes as o using (request_id)
    where o.label is not null and g.group_value is not null
),

final as (
    select
        group_value,
        count(*) as n,
        count(*) filter (where is_selected) as n_selected,
        count(*) filter (where is_selected and is_positive) as tp,
        count(*) filter (where not is_selected and is_positive) as fn,
        count(*) filter (where is_selected and not is_positive) as fp,
        count(*) filter (where not is_selected and not is_positive) as tn
    from labelled
    group by group_value
    order by group_value
)

select * from final
