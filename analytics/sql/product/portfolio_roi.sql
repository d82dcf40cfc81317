-- grain: one row: portfolio_roi, net return on cost (benefit - cost) / cost over the window (null
-- when there is no cost), and prev_portfolio_roi for the previous window
with portfolio as (
    select * from (QUERY_ROI_PORTFOLIO_VALUE)
),

final as (
    select
        (benefit_usd - cost_usd) / nullif(cost_usd, 0) as portfolio_roi,
        (prev_benefit_usd - prev_cost_usd) / nullif(prev_cost_usd, 0) as prev_portfolio_roi,
        benefit_usd,
        cost_usd
    from portfolio
)

select * from final
