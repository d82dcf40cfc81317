-- grain: one row per model version: its model's name and task, registration time, reference
-- (training) window and the last day with scored requests
with last_day as (
    select model_id, max(day) as last_day
    from rollup_predictions_daily
    group by model_id
),

final as (
    select
        v.model_id,
        m.name,
        m.task,
        v.version,
        v.registered_at,
        cast(timezone('UTC', v.train_start_at) as date) as ref_start,
        cast(timezone('UTC', v.train_end_at) as date) as ref_end,
        l.last_day
    from model_versions as v
    inner join models as m using (model_id)
    left join last_day as l using (model_id)
    order by m.name, v.registered_at desc
)

select * from final
