-- grain: one row per model version still to draw partial dependence for: a version with a feature
-- importance and no partial_dependence rows yet (with its artifact, when registered)
with explained as (
    select distinct model_id, version
    from feature_importance
),

final as (
    select e.model_id, e.version, v.artifact_uri
    from explained as e
    left join model_versions as v on e.model_id = v.model_id and e.version = v.version
    where not exists (
        select 1 from partial_dependence as d where d.model_id = e.model_id and d.version = e.version
    )
    order by e.model_id, e.version
)

select * from final
