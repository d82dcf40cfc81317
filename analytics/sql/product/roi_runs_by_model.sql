-- grain: one row per model: scored requests (model runs) on days in [$start_date, $end_date]
with final as (
    select model_id, cast(sum(n_predictions) as bigint) as n_runs
    from rollup_predictions_daily
    where day between cast($start_date as date) and cast($end_date as date)
    group by model_id
)

select * from final
