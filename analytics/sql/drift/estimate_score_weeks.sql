-- grain: one row per week of prediction and score bin (1/1000) of one model version: every scored
-- request, labelled or not (rollup rollup_score_weekly).
with final as (
    select week_start, score_bin, cast(sum(n) as bigint) as n
    from rollup_score_weekly
    where model_id = $model_id and version = $version
    group by all
)

select * from final
order by week_start, score_bin
