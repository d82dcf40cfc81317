-- grain: one row per model: cumulative benefit, cost and net from the ledger start to $end_date,
-- the month cumulative net first turned positive (payback), and whether it has ever paid off
with ledger as (
    select month, model_id, kind, amount_usd
    from (QUERY_LEDGER_CURRENT)
    where month <= cast($end_date as date)
),

monthly as (
    select
        model_id,
        month,
        coalesce(sum(amount_usd) filter (where kind = 'benefit'), 0) as benefit_usd,
        coalesce(sum(amount_usd) filter (where kind = 'cost'), 0) as cost_usd
    from ledger
    group by all
),

cumulative as (
    select
        *,
        sum(benefit_usd - cost_usd) over (partition by model_id order by month) as cum_net_usd
    from monthly
),

per_model as (
    select
        model_id,
        sum(benefit_usd) as benefit_to_date_usd,
        sum(cost_usd) as cost_to_date_usd,
        sum(benefit_usd - cost_usd) as net_to_date_usd,
        min(month) filter (where cum_net_usd > 0) as payback_month,
        min(month) as first_month
    from cumulative
    group by model_id
),

final as (
    select
        p.model_id,
        m.name,
        m.business_unit,
        m.stage,
        p.first_month,
        p.benefit_to_date_usd,
        p.cost_to_date_usd,
        p.net_to_date_usd,
        p.payback_month,
        p.payback_month is not null and p.net_to_date_usd > 0 as is_paying_off
    from per_model as p
    inner join models as m using (model_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
    order by p.net_to_date_usd
)

select * from final
