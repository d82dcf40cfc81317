-- grain: one row per checklist event up to $as_of_end (deduplicated by event_id: right after a
-- compaction the same event can briefly sit in two files), optionally for one item, oldest first
with deduped as (
    select *
    from checklist_events
    where event_at < $as_of_end
    qualify row_number() over (partition by event_id order by event_at) = 1
),

final as (
    select
        event_id,
        event_at,
        actor,
        item_id,
        title,
        status,
        owner,
        due_date,
        evidence_url,
        note,
        retired,
        cleared
    from deduped
    where ($item_id is null or item_id = $item_id)
    order by event_at, event_id
)

select * from final
