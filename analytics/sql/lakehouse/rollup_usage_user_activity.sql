-- grain: one row per model, user and block of 63 weeks in which the user invoked the model, over
-- every part of rollup_usage_user_week (read as `src`). Weeks are numbered from Monday 1970-01-05;
-- block = week // 63 and bit (week % 63) of active_weeks is set when the user invoked the model
-- that week (63 bits keep the mask a positive BIGINT). date_diff, not date subtraction: Spark's
-- gives an interval (analytics/lakehouse/spark_engine.py runs this text too).
with weekly as (
    select
        model_id,
        user_id,
        cast(date_diff('day', date '1970-01-05', week_start) // 7 as integer) as week_index
    from src
    group by model_id, user_id, week_start
    having sum(n_invocations) > 0
),

final as (
    select
        model_id,
        user_id,
        week_index // 63 as block,
        bit_or(cast(1 as bigint) << (week_index % 63)) as active_weeks
    from weekly
    group by all
    order by all
)

select * from final
