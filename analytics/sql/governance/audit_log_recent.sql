-- grain: one row per audit event (a write made through the app or the CLI), newest first
with events as (
    select
        event_id,
        event_at,
        actor,
        role,
        action,
        target,
        page,
        detail
    from audit_log
    where
        ($start_date is null or event_at >= cast($start_date as timestamptz))
        and ($end_date is null or event_at < cast($end_date as timestamptz) + interval 1 day)
        and ($actor is null or actor = $actor)
        and ($action is null or action = $action)
),

final as (
    select *
    from events
    order by event_at desc, event_id
    limit $limit
)

select * from final
