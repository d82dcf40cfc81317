-- grain: one row per acknowledged alert: its first acknowledgement (when, by whom, why).
with final as (
    select
        alert_id,
        min(acted_at) as acted_at,
        arg_min(actor, acted_at) as actor,
        arg_min(reason, acted_at) as reason
    from alert_actions
    where action = 'acknowledge'
    group by alert_id
)

select * from final
