-- grain: one row: production models with value-ledger rows for a month in the 3 months up to $as_of
with production as (
    select model_id, name
    from models
    where stage = 'production'
),

tracked as (
    select distinct model_id
    from value_ledger
    where month > cast($as_of as date) - interval 3 month and month <= cast($as_of as date)
),

flagged as (
    select p.name, t.model_id is not null as is_ok
    from production as p
    left join tracked as t using (model_id)
),

final as (
    select
        count(*) filter (where is_ok) as n_ok,
        count(*) as n_total,
        list(name order by name) filter (where not is_ok) as missing
    from flagged
)

select * from final
