-- grain: one row per model with open alerts (unresolved): why, since when, how much value is at risk
with open_alerts as (
    select * from (QUERY_ALERTS_OPEN)
),

per_model as (
    select
        model_id,
        max(case when severity = 'critical' then 2 else 1 end) as severity_rank,
        count(*) as n_alerts,
        list(distinct kind order by kind) as kinds,
        string_agg(message, ' ' order by severity, created_at, message) as reasons,  -- sentences; a total order: same every call
        min(coalesce(window_start_at, created_at)) as since_at,
        max(value_at_risk_usd) as value_at_risk_usd
    from open_alerts
    group by model_id
),

final as (
    select
        p.model_id,
        m.name,
        m.business_unit,
        m.stage,
        m.owner,
        case when p.severity_rank = 2 then 'critical' else 'warning' end as severity,
        p.n_alerts,
        p.kinds,
        p.reasons,
        p.since_at,
        p.value_at_risk_usd
    from per_model as p
    inner join models as m using (model_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
    order by p.severity_rank desc, p.value_at_risk_usd desc nulls last, m.name
)

select * from final
