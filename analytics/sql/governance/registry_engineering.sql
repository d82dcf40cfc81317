-- grain: Engineering KPIs over a window, for the models in scope (one row): production deployments per
-- month, change-failure rate (rolled-back production deployments / production deployments) and lead
-- time (median days from a version's registration to its first successful production deployment,
-- for versions first deployed in the window). Months in the window count whole or partial days / 30.4375.
with scoped as (
    select model_id
    from models
    where $business_units is null or list_contains($business_units, business_unit)
),

prod as (
    select d.*
    from deployments as d
    inner join scoped as s on d.model_id = s.model_id
    where
        d.environment = 'production'
        and cast(d.deployed_at as date) between $start_date and $end_date
),

first_prod as (
    select d.model_id, d.version, min(d.deployed_at) as first_at
    from deployments as d
    inner join scoped as s on d.model_id = s.model_id
    where d.environment = 'production' and d.status = 'success'
    group by d.model_id, d.version
),

lead as (
    select
        date_diff('second', v.registered_at, f.first_at) / 86400.0 as lead_days
    from first_prod as f
    inner join model_versions as v on f.model_id = v.model_id and f.version = v.version
    where cast(f.first_at as date) between $start_date and $end_date
),

final as (
    select
        (select count(*) from prod) as n_deployments,
        (select count(*) from prod where status = 'rolled_back') as n_rolled_back,
        (date_diff('day', cast($start_date as date), cast($end_date as date)) + 1) / 30.4375 as n_months,
        (select count(*) from prod) / n_months as deployments_per_month,
        (select count(*) from prod where status = 'rolled_back')
        / nullif((select count(*) from prod), 0) as change_failure_rate,
        (select median(lead_days) from lead) as lead_time_days,
        (select count(*) from lead) as n_versions_released
)

select * from final
