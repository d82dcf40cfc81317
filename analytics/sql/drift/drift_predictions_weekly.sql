-- grain: one row per week of prediction (monday): how many requests a model (optionally one
-- version) scored, the denominator of a week's label coverage
with final as (
    select
        cast(date_trunc('week', day) as date) as week_start,
        sum(n_predictions) as n_predicted
    from rollup_predictions_daily
    where
        model_id = $model_id
        and ($version is null or version = $version)
    group by all
    order by week_start
)

select * from final
