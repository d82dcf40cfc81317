-- grain: one row per stewardship task opened or closed by `scaleboard check` itself (a steward's own
-- acknowledgement, reassignment or manual resolution is not announced back to them)
with system_events as (
    select *
    from stewardship_tasks
    where actor = $system_actor
        and status in ('open', 'resolved')
),

final as (
    select
        e.task_id,
        e.event_at,
        e.status,
        e.dataset_id,
        d.name as dataset_name,
        e.check_id,
        e.assignee,
        e.reason
    from system_events as e
    left join datasets as d using (dataset_id)
    order by e.event_at, e.task_id
)

select * from final
