-- grain: one row per dataset and check: its most recent evaluation (by checked_at)
with ranked as (
    select
        *,
        row_number() over (partition by dataset_id, check_id order by checked_at desc, run_id desc) as rn
    from quality_results
),

final as (
    select
        r.dataset_id,
        d.name as dataset_name,
        d.domain,
        d.steward,
        r.check_id,
        r.check_kind,
        r."column",
        r.status,
        r.metric_value,
        r.warn_threshold,
        r.fail_threshold,
        r.n_rows,
        r.n_failed,
        r.checked_at,
        r.message,
        r.sample_json
    from ranked as r
    left join datasets as d using (dataset_id)
    where r.rn = 1
    order by
        case r.status when 'fail' then 0 when 'error' then 1 when 'warn' then 2 else 3 end,
        r.dataset_id,
        r.check_id
)

select * from final
