-- grain: one row per violation, so none when sound: roi_value_by_month has one row per month and business unit, months are
-- first days inside the window, and net = benefit - cost
with monthly as (
    select * from (QUERY_ROI_VALUE_BY_MONTH)
),

final as (
    select month, business_unit, 'duplicate month and unit' as problem
    from monthly
    group by all
    having count(*) > 1
    union all
    select month, business_unit, 'net is not benefit - cost' as problem
    from monthly
    where abs(net_usd - (benefit_usd - cost_usd)) > 1e-6
    union all
    select month, business_unit, 'month outside the window' as problem
    from monthly
    where day(month) <> 1 or month not between cast($start_date as date) and cast($end_date as date)
)

select * from final
