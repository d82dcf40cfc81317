-- grain: one row per model, version, week of prediction (monday) and score bin (1/1000), over the
-- new prediction files (per source part; merge by adding n). Every scored request counts, labelled
-- or not: label-free performance estimation (analytics/drift/estimate.py) reads the score
-- distribution of weeks whose labels have not arrived. Scores outside [0, 1] (regressors) are left out.
with scored as (
    select
        model_id,
        version,
        cast(date_trunc('week', timezone('UTC', prediction_at)) as date) as week_start,
        cast(floor(score * 1000) as integer) as score_bin
    from src
    where score >= 0 and score <= 1
),

final as (
    select model_id, version, week_start, score_bin, count(*) as n
    from scored
    group by all
)

select * from final
