-- grain: one row per open alert in its latest state, with its model and whether someone acknowledged
-- or snoozed it; for the alert tables of the app and `scaleboard alerts list`
with open_alerts as (
    select * from (QUERY_ALERTS_OPEN)
),

acks as (
    select
        alert_id,
        min(acted_at) as acknowledged_at,
        arg_min(actor, acted_at) as acknowledged_by
    from alert_actions
    where action = 'acknowledge'
    group by alert_id
),

snoozes as (
    select
        alert_id,
        arg_max(snoozed_until, acted_at) as snoozed_until,
        arg_max(actor, acted_at) as snoozed_by
    from alert_actions
    where action = 'snooze'
    group by alert_id
),

final as (
    select
        o.alert_id,
        o.model_id,
        m.name,
        m.business_unit,
        o.kind,
        o.severity,
        o.subject,
        o.metric,
        o.value,
        o.threshold,
        o.message,
        coalesce(o.window_start_at, o.created_at) as since_at,
        o.created_at,
        o.updated_at,
        o.value_at_risk_usd,
        k.acknowledged_at,
        k.acknowledged_by,
        s.snoozed_until,
        s.snoozed_by
    from open_alerts as o
    left join models as m using (model_id)
    left join acks as k using (alert_id)
    left join snoozes as s using (alert_id)
    where ($model_id is null or o.model_id = $model_id)
        and ($business_units is null or list_contains($business_units, m.business_unit))
    order by case when o.severity = 'critical' then 0 else 1 end, o.value_at_risk_usd desc nulls last,
        since_at
)

select * from final
