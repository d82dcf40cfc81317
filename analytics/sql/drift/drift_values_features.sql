-- grain: one row per logged input value (long format) of the view `src`, optionally one model
with final as (
    select
        model_id,
        cast(timezone('UTC', feature_at) as date) as day,
        feature,
        value_num,
        value_cat
    from src
    where
        ($model_id is null or model_id = $model_id)
        and ($start_date is null or feature_at >= cast($start_date as date))
        and ($end_date is null or feature_at < cast($end_date as date) + interval 1 day)
)

select * from final
