-- grain: one row (or none) per model: the task of $model_id
with final as (
    select task
    from models
    where model_id = $model_id
)

select * from final
