-- grain: one row: current ledger benefit and cost (USD) in the window [$start_date, $end_date], in the
-- previous window [$prev_start_date, $prev_end_date], and net from the ledger start to $end_date
-- (a ledger month counts in a window when its first day falls inside it)
with ledger as (
    select
        l.month,
        case when l.kind = 'benefit' then l.amount_usd else 0 end as benefit_usd,
        case when l.kind = 'cost' then l.amount_usd else 0 end as cost_usd
    from (QUERY_LEDGER_CURRENT) as l
    left join models as m using (model_id)
    where l.month <= cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
),

windows as (
    select
        *,
        month between cast($start_date as date) and cast($end_date as date) as is_current,
        month between cast($prev_start_date as date) and cast($prev_end_date as date) as is_previous
    from ledger
),

final as (
    select
        coalesce(sum(benefit_usd) filter (where is_current), 0) as benefit_usd,
        coalesce(sum(cost_usd) filter (where is_current), 0) as cost_usd,
        coalesce(sum(benefit_usd) filter (where is_previous), 0) as prev_benefit_usd,
        coalesce(sum(cost_usd) filter (where is_previous), 0) as prev_cost_usd,
        coalesce(sum(benefit_usd - cost_usd), 0) as value_to_date_usd
    from windows
)

select * from final
