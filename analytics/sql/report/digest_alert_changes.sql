-- grain: one row per alert opened or resolved in [$start_at, $end_at): change = 'opened' when its
-- raising row was written in the span, 'resolved' when its resolution row was (alerts are append-only)
with opened as (
    select
        'opened' as change,
        created_at as changed_at,
        alert_id,
        model_id,
        kind,
        severity,
        message,
        value_at_risk_usd
    from alerts
    where
        resolved_at is null
        and created_at >= $start_at
        and created_at < $end_at
    -- an open alert re-evaluated with a new value writes an update row with the same created_at:
    -- it was opened once
    qualify row_number() over (partition by alert_id order by updated_at nulls first) = 1
),

resolved as (
    select
        'resolved' as change,
        resolved_at as changed_at,
        alert_id,
        model_id,
        kind,
        severity,
        message,
        value_at_risk_usd
    from alerts
    where
        resolved_at is not null
        and resolved_at >= $start_at
        and resolved_at < $end_at
    qualify row_number() over (partition by alert_id order by resolved_at) = 1
),

final as (
    select
        c.change,
        c.changed_at,
        c.alert_id,
        c.model_id,
        m.name,
        m.business_unit,
        c.kind,
        c.severity,
        c.message,
        c.value_at_risk_usd
    from (
        select * from opened
        union all
        select * from resolved
    ) as c
    left join models as m on c.model_id = m.model_id
    where ($business_units is null or list_contains($business_units, m.business_unit))
)

select * from final order by change, severity, changed_at
