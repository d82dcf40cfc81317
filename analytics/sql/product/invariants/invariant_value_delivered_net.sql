-- grain: one row per violation, so none when sound: value delivered is benefit - cost, and the ROI is (benefit - cost) / cost
with delivered as (
    select * from (QUERY_VALUE_DELIVERED)
),

roi as (
    select * from (QUERY_PORTFOLIO_ROI)
),

final as (
    select d.value_delivered, d.benefit_usd, d.cost_usd, r.portfolio_roi
    from delivered as d, roi as r
    where abs(d.value_delivered - (d.benefit_usd - d.cost_usd)) > 1e-6
        or d.benefit_usd < 0
        or d.cost_usd < 0
        or (d.cost_usd > 0 and abs(r.portfolio_roi * d.cost_usd - d.value_delivered) > 1e-6)
        or (d.cost_usd = 0 and r.portfolio_roi is not null)
)

select * from final
