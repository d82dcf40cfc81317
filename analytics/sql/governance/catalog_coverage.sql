-- grain: one row: catalogue coverage (shares 0..1 of catalogued datasets; null when none)
with cat as (
    select * from (QUERY_CATALOG_DATASETS)
),

final as (
    select
        count(*) as n_datasets,
        count(*) filter (where has_owner_and_steward) as n_owner_and_steward,
        count(*) filter (where has_description) as n_described,
        count(*) filter (where is_pii) as n_pii,
        count(*) filter (where has_owner_and_steward) / nullif(count(*), 0) as share_owner_and_steward,
        count(*) filter (where has_description) / nullif(count(*), 0) as share_described
    from cat
)

select * from final
