-- grain: one row per regression model with labelled predictions in weeks starting in
-- [$start_date, $end_date]: RMSE of the model, the standard deviation of the actual values (the RMSE
-- of a naive forecast that always says the mean), and the reduction 1 - rmse / sd_actual.
-- Computed from the mergeable performance rollup: sums of n, squared errors, labels and squared labels.
with labelled as (
    select
        p.model_id,
        sum(p.n) as n_labelled,
        sum(p.sum_sq_err) as sse,
        sum(p.sum_label) as sum_y,
        sum(p.sum_label_sq) as sum_y2
    from drift_performance as p
    inner join models as m on p.model_id = m.model_id
    where m.task = 'regression'
        and p.week_start between cast($start_date as date) and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
    group by p.model_id
),

errors as (
    select
        model_id,
        n_labelled,
        sqrt(sse / n_labelled) as rmse,
        sqrt(greatest(sum_y2 / n_labelled - pow(sum_y / n_labelled, 2), 0)) as sd_actual
    from labelled
    where n_labelled > 0
),

final as (
    select
        e.model_id,
        m.name,
        m.business_unit,
        e.n_labelled,
        e.rmse,
        e.sd_actual,
        1 - e.rmse / nullif(e.sd_actual, 0) as forecast_error_reduction
    from errors as e
    inner join models as m on e.model_id = m.model_id
    order by forecast_error_reduction desc nulls last
)

select * from final
