-- grain: one row per model, day (UTC) and user with at least one invocation, over the new files
-- `src` (re-aggregate with sum). Adoption reads it only for the days of a window's partial weeks.
with final as (
    select
        model_id,
        cast(timezone('UTC', event_at) as date) as day,
        user_id,
        count(*) as n_invocations
    from src
    where event_type = 'invoke'
    group by all
)

select * from final
