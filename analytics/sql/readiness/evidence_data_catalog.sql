-- grain: one row: catalogued datasets documented with an owner, a steward and a description
with flagged as (
    select
        coalesce(name, dataset_id) as name,
        nullif(trim(owner), '') is not null
        and nullif(trim(steward), '') is not null
        and nullif(trim(description), '') is not null as is_ok
    from datasets
),

final as (
    select
        count(*) filter (where is_ok) as n_ok,
        count(*) as n_total,
        list(name order by name) filter (where not is_ok) as missing
    from flagged
)

select * from final
