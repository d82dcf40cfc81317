-- grain: one row per sampled request and feature (long), plus the pseudo-feature "prediction" (the
-- score): raw logs of one model in one window, at most $max_rows requests (seeded hash sample)
with req as (
    select request_id
    from (select distinct request_id from features
        where
            model_id = $model_id
            and feature_at >= cast($start_date as date)
            and feature_at < cast($end_date as date) + interval 1 day)
    qualify row_number() over (order by hash(request_id, $seed)) <= $max_rows
),

feature_rows as (
    select
        f.request_id,
        f.feature,
        f.value_num,
        f.value_cat
    from features as f
    inner join req using (request_id)
    where f.model_id = $model_id
),

prediction_rows as (
    select
        p.request_id,
        'prediction' as feature,
        p.score as value_num,
        cast(null as varchar) as value_cat
    from predictions as p
    inner join req using (request_id)
    where p.model_id = $model_id
),

final as (
    select * from feature_rows
    union all
    select * from prediction_rows
)

select * from final
