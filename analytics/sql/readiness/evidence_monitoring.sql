-- grain: one row: production models with drift monitoring (feature logs), performance monitoring
-- (outcome logs) and an alert route; reads the small per-model rollups, never the raw logs
with production as (
    select model_id, name, alert_route
    from models
    where stage = 'production'
),

drift as (
    select distinct model_id from rollup_feature_models where n_rows > 0
),

performance as (
    select distinct model_id from rollup_outcome_models where n_rows > 0
),

flagged as (
    select
        p.name,
        d.model_id is not null and f.model_id is not null
        and nullif(trim(p.alert_route), '') is not null as is_ok
    from production as p
    left join drift as d using (model_id)
    left join performance as f using (model_id)
),

final as (
    select
        count(*) filter (where is_ok) as n_ok,
        count(*) as n_total,
        list(name order by name) filter (where not is_ok) as missing
    from flagged
)

select * from final
