-- grain: one row per model: its monthly benefit (mean of the last 3 ledger months with entries),
-- used as "value at risk" when the model is degraded
with ledger as (
    select month, model_id, sum(amount_usd) filter (where kind = 'benefit') as benefit_usd
    from (QUERY_LEDGER_CURRENT)
    group by all
),

ranked as (
    select *, row_number() over (partition by model_id order by month desc) as rn
    from ledger
),

final as (
    select model_id, coalesce(avg(benefit_usd), 0) as monthly_value_usd
    from ranked
    where rn <= 3
    group by model_id
)

select * from final
