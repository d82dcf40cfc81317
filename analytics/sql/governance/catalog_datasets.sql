-- grain: one row per catalogued dataset, with its documentation gaps spelled out
with datasets_clean as (
    select
        *,
        nullif(trim(owner), '') as owner_clean,
        nullif(trim(steward), '') as steward_clean,
        nullif(trim(description), '') as description_clean
    from datasets
),

final as (
    select
        dataset_id,
        name,
        domain,
        owner_clean as owner,
        steward_clean as steward,
        description_clean as description,
        source_system,
        is_pii,
        array_to_string(regulations, ', ') as regulations,
        retention_days,
        freshness_sla_hours,
        table_name,
        owner_clean is not null and steward_clean is not null as has_owner_and_steward,
        description_clean is not null as has_description
    from datasets_clean
    where $domain is null or domain = $domain
    order by domain, dataset_id
)

select * from final
