-- grain: one row per model, version, day (UTC), team and country, over the new source files `src`
with final as (
    select
        model_id,
        version,
        cast(timezone('UTC', prediction_at) as date) as day,
        team,
        country,
        count(*) as n_predictions,
        sum(score) as sum_score,
        sum(latency_ms) as sum_latency_ms,
        max(latency_ms) as max_latency_ms
    from src
    group by all
)

select * from final
