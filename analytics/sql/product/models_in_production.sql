-- grain: one row: models_in_production, models live in production at the end of the month of
-- $end_date, and prev_models_in_production at the end of the month of $prev_end_date; with the
-- pilots and retired models at $end_date
with monthly as (
    select * from (QUERY_MODELS_BY_STAGE_MONTHLY)
),

final as (
    select
        coalesce(arg_max(n_production, month) filter (
            where month <= cast($end_date as date)
        ), 0) as models_in_production,
        coalesce(arg_max(n_production, month) filter (
            where month <= cast($prev_end_date as date)
        ), 0) as prev_models_in_production,
        coalesce(arg_max(n_pilot, month) filter (where month <= cast($end_date as date)), 0) as n_pilot,
        coalesce(arg_max(n_retired, month) filter (where month <= cast($end_date as date)), 0) as n_retired
    from monthly
)

select * from final
