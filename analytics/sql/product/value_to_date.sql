-- grain: one row: value_to_date, cumulative net value (USD) from the first ledger month to the
-- month of $end_date
with portfolio as (
    select * from (QUERY_ROI_PORTFOLIO_VALUE)
),

final as (
    select value_to_date_usd as value_to_date
    from portfolio
)

select * from final
