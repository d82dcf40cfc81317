-- grain: one row per feature of one model version: the newest importance computation in force.
with latest as (
    select max(computed_at) as computed_at
    from feature_importance
    where model_id = $model_id and version = $version
),

final as (
    select f.feature, f.importance, f.method, f.n_rows, f.surrogate_r2, f.computed_at
    from feature_importance as f
    inner join latest as l on f.computed_at = l.computed_at
    where f.model_id = $model_id and f.version = $version
    order by importance desc
)

select * from final
