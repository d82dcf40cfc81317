-- grain: one row per distinct action recorded in the audit log
with actions as (
    select distinct action
    from audit_log
),

final as (
    select action
    from actions
    order by action
)

select * from final
