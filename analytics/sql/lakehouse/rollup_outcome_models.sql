-- grain: one row per model over the new outcome files `src` (re-aggregate with sum/max)
with final as (
    select
        model_id,
        count(*) as n_rows,
        max(observed_at) as last_at
    from src
    group by all
)

select * from final
