-- grain: one row per scored request of the view `src`, as the pseudo-feature "prediction" (the score)
with final as (
    select
        model_id,
        cast(timezone('UTC', prediction_at) as date) as day,
        'prediction' as feature,
        score as value_num,
        cast(null as varchar) as value_cat
    from src
    where
        ($model_id is null or model_id = $model_id)
        and ($start_date is null or prediction_at >= cast($start_date as date))
        and ($end_date is null or prediction_at < cast($end_date as date) + interval 1 day)
)

select * from final
