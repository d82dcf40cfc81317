-- grain: one row per logged feature of a labelled, scored request of one model version predicted in
-- [$start_at, $end_at) (long format, with the prediction and the label): the reference direct loss
-- estimation fits its loss models on.
with preds as (
    select
        request_id,
        score,
        cast(date_trunc('week', timezone('UTC', prediction_at)) as date) as week_start
    from predictions
    where
        model_id = $model_id
        and version = $version
        and prediction_at >= $start_at
        and prediction_at < $end_at
        and score is not null
),

labelled as (
    select p.request_id, p.week_start, p.score, o.label
    from preds as p
    inner join outcomes as o on p.request_id = o.request_id
    where o.model_id = $model_id and o.observed_at >= $start_at and o.label is not null
),

final as (
    select l.request_id, l.week_start, l.score, l.label, f.feature, f.value_num, f.value_cat
    from labelled as l
    inner join features as f on l.request_id = f.request_id
    where
        f.model_id = $model_id
        and f.feature_at >= $start_at - interval 1 day
        and f.feature_at < $end_at + interval 1 day
)

select * from final
