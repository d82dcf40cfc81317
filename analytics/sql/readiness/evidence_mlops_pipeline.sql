-- grain: one row: successful production deployments in the 90 days up to $as_of_end, per month
with recent as (
    select model_id
    from deployments
    where
        environment = 'production'
        and status = 'success'
        and deployed_at < $as_of_end
        and deployed_at >= $as_of_end - interval 90 day
),

final as (
    select
        count(*) as n_ok,
        count(distinct model_id) as n_total,
        cast([] as varchar[]) as missing
    from recent
)

select * from final
