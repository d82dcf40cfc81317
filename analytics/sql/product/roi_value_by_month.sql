-- grain: one row per ledger month and business unit: current benefit, cost and net (USD) of the
-- months whose first day falls in [$start_date, $end_date]; country filters do not apply to the ledger
with ledger as (
    select l.month, l.model_id, l.kind, l.amount_usd, m.business_unit
    from (QUERY_LEDGER_CURRENT) as l
    left join models as m using (model_id)
    where l.month between cast($start_date as date) and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
),

final as (
    select
        month,
        coalesce(business_unit, '(unknown)') as business_unit,
        coalesce(sum(amount_usd) filter (where kind = 'benefit'), 0) as benefit_usd,
        coalesce(sum(amount_usd) filter (where kind = 'cost'), 0) as cost_usd,
        coalesce(sum(amount_usd) filter (where kind = 'benefit'), 0)
        - coalesce(sum(amount_usd) filter (where kind = 'cost'), 0) as net_usd
    from ledger
    group by all
    order by month, business_unit
)

select * from final
