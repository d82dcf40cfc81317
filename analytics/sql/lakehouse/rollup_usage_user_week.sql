-- grain: one row per model, week (monday, UTC), user, team and country, over the new files `src`
with final as (
    select
        model_id,
        cast(date_trunc('week', timezone('UTC', event_at)) as date) as week_start,
        user_id,
        team,
        country,
        count(*) as n_events,
        count(*) filter (where event_type = 'invoke') as n_invocations
    from src
    group by all
)

select * from final
