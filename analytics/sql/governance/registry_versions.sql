-- grain: One row per version of one model: registration, training window, aliases pointing at it, its
-- approval in force, its deployments (count, first successful production one) and its origin.
with state as (
    QUERY_REGISTRY_STATE
),

aliases as (
    select version, string_agg(name, ', ' order by name) as aliases
    from state
    where model_id = $model_id and kind = 'alias' and version is not null
    group by version
),

approvals as (
    select version, value as approval, actor as approved_by, event_at as approved_at
    from state
    where model_id = $model_id and kind = 'approval'
),

deploys as (
    select
        version,
        count(*) as n_deployments,
        min(deployed_at) filter (where environment = 'production' and status = 'success')
            as first_production_at
    from deployments
    where model_id = $model_id
    group by version
),

final as (
    select
        v.version,
        v.registered_at,
        v.registered_by,
        v.algorithm,
        v.train_start_at,
        v.train_end_at,
        a.aliases,
        p.approval,
        p.approved_by,
        p.approved_at,
        coalesce(d.n_deployments, 0) as n_deployments,
        d.first_production_at,
        v.run_id,
        v.artifact_uri,
        v.registry_source,
        v.metrics_json
    from model_versions as v
    left join aliases as a on v.version = a.version
    left join approvals as p on v.version = p.version
    left join deploys as d on v.version = d.version
    where v.model_id = $model_id
    order by registered_at desc
)

select * from final
