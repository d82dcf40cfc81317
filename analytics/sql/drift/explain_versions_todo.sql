-- grain: one row per model version still to explain: the newest version of every production or
-- pilot model that has no feature_importance rows yet (with its artifact, when registered).
with newest as (
    select v.model_id, arg_max(v.version, v.registered_at) as version, arg_max(v.artifact_uri, v.registered_at)
        as artifact_uri
    from model_versions as v
    inner join models as m on v.model_id = m.model_id
    where m.stage in ('production', 'pilot')
    group by v.model_id
),

final as (
    select n.*
    from newest as n
    where not exists (
        select 1 from feature_importance as f where f.model_id = n.model_id and f.version = n.version
    )
)

select * from final
