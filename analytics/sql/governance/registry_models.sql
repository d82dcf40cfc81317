-- grain: One row per model in the registry: inventory, version count, the newest version, the aliases in
-- force ("champion: v3"), the last production deployment. Filtered by a case-insensitive search over
-- id, name, owner, business unit and description, and by business units, risk tiers and stages.
with state as (
    QUERY_REGISTRY_STATE
),

versions as (
    select
        model_id,
        count(*) as n_versions,
        arg_max(version, registered_at) as latest_version,
        max(registered_at) as latest_registered_at
    from model_versions
    group by model_id
),

aliases as (
    select
        model_id,
        string_agg(name || ': ' || version, ', ' order by name) as aliases
    from state
    where kind = 'alias' and version is not null
    group by model_id
),

deploys as (
    select
        model_id,
        count(*) as n_deployments,
        max(deployed_at) filter (where environment = 'production' and status = 'success')
            as last_production_at
    from deployments
    group by model_id
),

final as (
    select
        m.model_id,
        m.name,
        m.business_unit,
        m.owner,
        m.risk_tier,
        m.stage,
        m.task,
        coalesce(v.n_versions, 0) as n_versions,
        v.latest_version,
        v.latest_registered_at,
        a.aliases,
        coalesce(d.n_deployments, 0) as n_deployments,
        d.last_production_at
    from models as m
    left join versions as v on m.model_id = v.model_id
    left join aliases as a on m.model_id = a.model_id
    left join deploys as d on m.model_id = d.model_id
    where
        ($business_units is null or list_contains($business_units, m.business_unit))
        and ($risk_tiers is null or list_contains($risk_tiers, m.risk_tier))
        and ($stages is null or list_contains($stages, m.stage))
        and (
            $search is null
            or contains(
                lower(concat_ws(' ', m.model_id, m.name, m.owner, m.business_unit, m.description)),
                lower($search)
            )
        )
    order by business_unit, name
)

select * from final
