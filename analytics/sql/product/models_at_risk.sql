-- grain: one row: models_at_risk, models with at least one open alert now (whatever the window),
-- and n_critical, those whose worst open alert is critical
with attention as (
    select * from (QUERY_MODELS_NEEDING_ATTENTION)
),

final as (
    select
        count(*) as models_at_risk,
        count(*) filter (where severity = 'critical') as n_critical
    from attention
)

select * from final
