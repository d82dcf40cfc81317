-- grain: one row per week of prediction of one model version with its number of scored requests
-- (rollup rollup_predictions_daily): a week whose count changed has new rows to estimate.
with final as (
    select
        cast(date_trunc('week', day) as date) as week_start,
        cast(sum(n_predictions) as bigint) as n_predicted
    from rollup_predictions_daily
    where model_id = $model_id and version = $version
    group by all
)

select * from final
