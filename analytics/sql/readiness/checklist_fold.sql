-- grain: one row per item id (checklist items and tpl. template rows) as of $as_of_end:
-- each field is its latest non-null value (events carry only the fields they change; `cleared`
-- names fields an event empties)
with events as (
    select * from (QUERY_CHECKLIST_LOG)
),

final as (
    select
        item_id,
        last(title order by event_at, event_id) filter (where title is not null) as title,
        last(status order by event_at, event_id) filter (where status is not null) as status,
        last(owner order by event_at, event_id) filter (where owner is not null) as owner,
        -- an event that clears the due date sets it back to null
        last(due_date order by event_at, event_id) filter (
            where due_date is not null or list_contains(cleared, 'due_date')
        ) as due_date,
        nullif(
            last(evidence_url order by event_at, event_id) filter (where evidence_url is not null), ''
        ) as evidence_url,
        nullif(last(note order by event_at, event_id) filter (where note is not null), '') as note,
        last(retired order by event_at, event_id) filter (where retired is not null) as retired,
        min(event_at) as created_at,
        max(event_at) as updated_at,
        last(actor order by event_at, event_id) as updated_by,
        count(*) as n_events
    from events
    group by item_id
)

select * from final
