-- grain: one row: value_at_risk, the monthly benefit (USD, mean of the last three ledger months) of
-- the models with open alerts now
with attention as (
    select * from (QUERY_MODELS_NEEDING_ATTENTION)
),

final as (
    select coalesce(sum(value_at_risk_usd), 0) as value_at_risk
    from attention
)

select * from final
