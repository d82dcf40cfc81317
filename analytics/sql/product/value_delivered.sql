-- grain: one row: value_delivered, net value (benefit - cost, USD) of the current ledger figures
-- for months whose first day is in [$start_date, $end_date], and prev_value_delivered for the
-- previous window; with the benefit and cost it nets
with portfolio as (
    select * from (QUERY_ROI_PORTFOLIO_VALUE)
),

final as (
    select
        benefit_usd - cost_usd as value_delivered,
        prev_benefit_usd - prev_cost_usd as prev_value_delivered,
        benefit_usd,
        cost_usd
    from portfolio
)

select * from final
