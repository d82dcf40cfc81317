-- grain: one row per open alert, in its latest state (latest value, severity, message and value at
-- risk; created_at stays the first detection): alerts whose latest row is not a resolution
with latest as (
    select * from (QUERY_ALERTS_CURRENT)
),

final as (
    select *
    from latest
    where resolved_at is null
)

select * from final
