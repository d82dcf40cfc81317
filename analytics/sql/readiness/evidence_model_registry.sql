-- grain: one row: production models with a registered version (by $as_of_end) and an owner
with production as (
    select model_id, name, owner
    from models
    where stage = 'production'
),

registered as (
    select distinct model_id
    from model_versions
    where registered_at < $as_of_end
),

flagged as (
    select
        p.name,
        r.model_id is not null and nullif(trim(p.owner), '') is not null as is_ok
    from production as p
    left join registered as r using (model_id)
),

final as (
    select
        count(*) filter (where is_ok) as n_ok,
        count(*) as n_total,
        list(name order by name) filter (where not is_ok) as missing
    from flagged
)

select * from final
