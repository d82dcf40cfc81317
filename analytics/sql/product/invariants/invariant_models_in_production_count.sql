-- grain: one row per violation, so none when sound: production, pilot and retired counts are within the models in scope
with kpi as (
    select * from (QUERY_MODELS_IN_PRODUCTION)
),

in_scope as (
    select count(*) as n_models
    from models
    where $business_units is null or list_contains($business_units, business_unit)
),

final as (
    select k.*, s.n_models
    from kpi as k, in_scope as s
    where k.models_in_production < 0
        or k.models_in_production + k.n_pilot + k.n_retired > s.n_models
)

select * from final
