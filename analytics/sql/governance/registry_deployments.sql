-- grain: One row per deployment of one model, newest first.
with final as (
    select deployment_id, version, environment, deployed_at, deployed_by, status
    from deployments
    where model_id = $model_id
    order by deployed_at desc
)

select * from final
