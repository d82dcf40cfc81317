-- grain: one row per violation, so none when sound: one row per model needing attention, its value at risk not negative,
-- and the KPIs equal the table's count and sum
with attention as (
    select * from (QUERY_MODELS_NEEDING_ATTENTION)
),

at_risk as (
    select * from (QUERY_MODELS_AT_RISK)
),

value_at_risk as (
    select * from (QUERY_VALUE_AT_RISK)
),

final as (
    select model_id, 'duplicate model' as problem
    from attention
    group by model_id
    having count(*) > 1
    union all
    select model_id, 'negative value at risk' as problem
    from attention
    where value_at_risk_usd < 0
    union all
    select 'portfolio' as model_id, 'KPI does not match the table' as problem
    from at_risk, value_at_risk
    where at_risk.models_at_risk <> (select count(*) from attention)
        or abs(value_at_risk.value_at_risk - (select coalesce(sum(value_at_risk_usd), 0) from attention)) > 1e-6
)

select * from final
