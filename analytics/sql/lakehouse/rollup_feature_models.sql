-- grain: one row per model and version over the new feature files `src` (re-aggregate with sum/max)
with final as (
    select
        model_id,
        version,
        count(*) as n_rows,
        max(feature_at) as last_at
    from src
    group by all
)

select * from final
