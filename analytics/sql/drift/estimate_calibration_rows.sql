-- grain: one row per week of prediction, label (0/1) and score bin (1/1000) of one model version:
-- the labelled predictions label-free estimation calibrates on (rollup drift_performance).
with final as (
    select week_start, label, score_bin, cast(sum(n) as bigint) as n
    from drift_performance
    where
        model_id = $model_id
        and version = $version
        and score_bin is not null
    group by all
)

select * from final
order by week_start, score_bin
