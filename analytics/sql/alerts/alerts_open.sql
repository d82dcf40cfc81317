-- grain: one row per open alert: raised and not resolved since. Alerts are append-only: a resolution
-- is a second row with the same alert_id and resolved_at set.
with resolved as (
    select distinct alert_id
    from alerts
    where resolved_at is not null
),

final as (
    select a.*
    from alerts as a
    where a.resolved_at is null
        and a.alert_id not in (select r.alert_id from resolved as r)
)

select * from final
