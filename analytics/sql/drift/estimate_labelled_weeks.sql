-- grain: one row per week of prediction of one model version with its labelled predictions (rollup
-- drift_performance): the weeks direct loss estimation may take as its reference.
with final as (
    select week_start, cast(sum(n) as bigint) as n
    from drift_performance
    where model_id = $model_id and version = $version
    group by all
)

select * from final
