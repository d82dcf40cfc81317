-- grain: one row per logged feature of a scored request of one model version predicted in
-- [$start_at, $end_at) (long format, with the request's prediction): the rows direct loss estimation
-- predicts the loss of. Only those weeks' partitions are read (both tables are partitioned by month).
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

final as (
    select p.request_id, p.week_start, p.score, f.feature, f.value_num, f.value_cat
    from preds as p
    inner join features as f on p.request_id = f.request_id
    where
        f.model_id = $model_id
        and f.feature_at >= $start_at - interval 1 day
        and f.feature_at < $end_at + interval 1 day
)

select * from final
