-- grain: one row per dataset, check and day (the last evaluation of that day), within the window
with daily as (
    select
        dataset_id,
        check_id,
        check_kind,
        cast(checked_at as date) as day,
        arg_max(metric_value, checked_at) as metric_value,
        arg_max(status, checked_at) as status,
        arg_max(warn_threshold, checked_at) as warn_threshold,
        arg_max(fail_threshold, checked_at) as fail_threshold
    from quality_results
    where
        cast(checked_at as date) between $start_date and $end_date
        and ($dataset_id is null or dataset_id = $dataset_id)
    group by all
),

final as (
    select * from daily
    order by dataset_id, check_id, day
)

select * from final
