-- grain: one row per alert: its latest state. Alerts are append-only: the raising row, an update row
-- per later evaluation that saw another value or severity, and a resolution row (resolved_at set),
-- which is always the last. created_at (first detection) is the same on every row of an alert.
with ranked as (
    select
        a.*,
        row_number() over (
            partition by a.alert_id
            order by
                a.resolved_at is not null desc,
                coalesce(a.updated_at, a.resolved_at, a.created_at) desc
        ) as rn
    from alerts as a
),

final as (
    select * exclude (rn)
    from ranked
    where rn = 1
)

select * from final
