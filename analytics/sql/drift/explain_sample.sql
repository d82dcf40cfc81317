-- grain: one row per request and feature: the newest $limit scored requests of one model version
-- that have logged features (long format), with the model's score and the label when it arrived.
-- The explanation step of `scaleboard refresh` reads this bounded sample once per version.
with requests as (
    select request_id, score, prediction_at
    from predictions
    where model_id = $model_id and version = $version and score is not null and isfinite(score)
    order by prediction_at desc, request_id  -- ties broken by id: the same sample however files are listed
    limit $limit
),

final as (
    select
        r.request_id,
        r.score,
        o.label,
        f.feature,
        f.value_num,
        f.value_cat
    from requests as r
    inner join features as f
        on r.request_id = f.request_id and f.model_id = $model_id
    left join outcomes as o
        on r.request_id = o.request_id and o.model_id = $model_id
    order by r.request_id, f.feature  -- one row order: the surrogate and its ranking do not vary by file order
)

select * from final
