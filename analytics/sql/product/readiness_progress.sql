-- grain: one row: readiness_progress, the share of active readiness-checklist items (the default
-- items $default_item_ids and custom ones; template rows excluded) whose status is done as of
-- $as_of_end; n_items and n_done
with folded as (
    select * from (QUERY_CHECKLIST_FOLD)
    where not starts_with(item_id, 'tpl.')
),

items as (
    select unnest(cast($default_item_ids as varchar[])) as item_id
    union
    select item_id from folded
),

current_items as (
    select coalesce(f.status, 'not_started') as status
    from items
    left join folded as f using (item_id)
    where not coalesce(f.retired, false)
),

final as (
    select
        count(*) as n_items,
        count(*) filter (where status = 'done') as n_done,
        count(*) filter (where status = 'done') / nullif(count(*), 0) as readiness_progress
    from current_items
)

select * from final
