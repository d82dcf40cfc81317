-- grain: one row per model and ledger month up to $end_date: current benefit and cost (USD), and the
-- benefit split by attribution (measured by A/B test, model-estimated, self-reported)
with ledger as (
    select l.*, m.name, m.business_unit, m.stage
    from (QUERY_LEDGER_CURRENT) as l
    left join models as m using (model_id)
    where l.month <= cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
),

final as (
    select
        model_id,
        any_value(name) as name,
        any_value(business_unit) as business_unit,
        any_value(stage) as stage,
        month,
        coalesce(sum(amount_usd) filter (where kind = 'benefit'), 0) as benefit_usd,
        coalesce(sum(amount_usd) filter (where kind = 'cost'), 0) as cost_usd,
        coalesce(sum(amount_usd) filter (where kind = 'benefit' and attribution = 'measured'), 0)
            as measured_benefit_usd,
        coalesce(sum(amount_usd) filter (where kind = 'benefit' and attribution = 'estimated'), 0)
            as estimated_benefit_usd,
        coalesce(sum(amount_usd) filter (where kind = 'benefit' and attribution = 'self_reported'), 0)
            as self_reported_benefit_usd
    from ledger
    group by model_id, month
    order by model_id, month
)

select * from final
