-- grain: one row (the option lists and date span for the sidebar filters)
with units as (
    select list(distinct business_unit order by business_unit) as business_units
    from models
    where business_unit is not null
),

countries as (
    select list(distinct country order by country) as countries
    from (
        select country from eligible_users
        union
        select distinct country from rollup_predictions_daily
    )
    where country is not null
),

span as (
    select min(day) as min_date, max(day) as max_date
    from rollup_predictions_daily
),

final as (
    select units.business_units, countries.countries, span.min_date, span.max_date
    from units, countries, span
)

select * from final
