-- grain: one row per violation, so none when sound: readiness progress is a share in [0, 1] of done items
with kpi as (
    select * from (QUERY_READINESS_PROGRESS)
),

final as (
    select *
    from kpi
    where readiness_progress < 0 or readiness_progress > 1 or n_done > n_items
)

select * from final
