-- grain: one row per version, week, label and score bin of $model_id (all versions when $version
-- is null), from the mergeable performance rollup
with final as (
    select *
    from drift_performance
    where model_id = $model_id and ($version is null or version = $version)
)

select * from final
