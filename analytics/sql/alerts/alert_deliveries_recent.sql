-- grain: one row per notification event and channel: its latest delivery attempt (failed ones first),
-- for the admin page and `scaleboard alerts deliveries`
with ranked as (
    select
        d.*,
        count(*) over (partition by d.event_key, d.channel) as n_runs,
        row_number() over (partition by d.event_key, d.channel order by d.attempted_at desc) as rn
    from alert_deliveries as d
),

final as (
    select
        attempted_at,
        status,
        channel,
        channel_kind,
        event,
        subject_id,
        summary,
        attempts,
        n_runs,
        http_status,
        error,
        event_key
    from ranked
    where rn = 1
        and ($status is null or status = $status)
    order by case when status = 'failed' then 0 else 1 end, attempted_at desc
    limit $limit
)

select * from final
