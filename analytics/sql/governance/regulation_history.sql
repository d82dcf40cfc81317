-- grain: one row per edit of the regulation tracker, newest first
with final as (
    select
        event_at,
        actor,
        asset_kind,
        asset_id,
        regulation,
        obligation,
        status,
        owner,
        evidence_url,
        reviewed_on,
        next_review_on,
        note
    from regulation_events
    where $asset_id is null or asset_id = $asset_id
    order by event_at desc
)

select * from final
