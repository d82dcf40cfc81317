-- grain: one row per domain: the latest status of every check of its datasets, rolled up
with latest as (
    select * from (QUERY_QUALITY_LATEST)
),

final as (
    select
        coalesce(domain, '(no domain)') as domain,
        count(distinct dataset_id) as n_datasets,
        count(*) as n_checks,
        count(*) filter (where status = 'pass') as n_pass,
        count(*) filter (where status = 'warn') as n_warn,
        count(*) filter (where status in ('fail', 'error')) as n_fail,
        count(*) filter (where status = 'pass') / count(*) as share_passing,
        case
            when count(*) filter (where status in ('fail', 'error')) > 0 then 'fail'
            when count(*) filter (where status = 'warn') > 0 then 'warn'
            else 'pass'
        end as health
    from latest
    group by all
    order by n_fail desc, n_warn desc, domain
)

select * from final
