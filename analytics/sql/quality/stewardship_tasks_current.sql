-- grain: one row per stewardship task (its latest event is its state), newest first
with events as (
    select * from stewardship_tasks
),

folded as (
    select
        task_id,
        arg_min(dataset_id, event_at) as dataset_id,
        arg_min(check_id, event_at) as check_id,
        arg_min(reason, event_at) as opened_reason,
        min(event_at) as opened_at,
        arg_max(status, event_at) as status,
        arg_max(assignee, event_at) filter (where assignee is not null) as assignee,
        arg_max(actor, event_at) as last_actor,
        arg_max(reason, event_at) as last_reason,
        max(event_at) as last_event_at,
        min(event_at) filter (where status = 'acknowledged') as acknowledged_at,
        max(event_at) filter (where status = 'resolved') as resolved_event_at,
        count(*) as n_events
    from events
    group by task_id
),

final as (
    select
        task_id,
        dataset_id,
        check_id,
        status,
        assignee,
        opened_at,
        acknowledged_at,
        case when status = 'resolved' then resolved_event_at end as resolved_at,
        epoch(acknowledged_at - opened_at) / 3600.0 as response_hours,
        case when status = 'resolved' then epoch(resolved_event_at - opened_at) / 3600.0 end
            as resolution_hours,
        opened_reason,
        last_actor,
        last_reason,
        last_event_at,
        n_events
    from folded
    order by opened_at desc, task_id
)

select * from final
