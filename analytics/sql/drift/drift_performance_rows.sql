-- grain: one row per model, version, week of prediction (monday), label and score bin (1/1000):
-- (classifiers; one row per week for regressors) labelled predictions of the new outcome files `src` joined to all predictions `preds`
with labelled as (
    select
        p.model_id,
        p.version,
        cast(date_trunc('week', timezone('UTC', p.prediction_at)) as date) as week_start,
        o.label,
        p.score
    from src as o
    inner join preds as p on o.request_id = p.request_id and o.model_id = p.model_id
    where o.label is not null and p.score is not null
),

final as (
    select
        model_id,
        version,
        week_start,
        -- classifiers (labels 0/1) keep the score histogram for AUC; regressors only the error sums
        case when label in (0, 1) then label end as label,
        case when label in (0, 1) then cast(least(greatest(floor(score * 1000), 0), 1000) as integer) end
            as score_bin,
        count(*) as n,
        sum(abs(score - label)) as sum_abs_err,
        sum((score - label) * (score - label)) as sum_sq_err,
        -- the actual values' sums give their spread: the error of a naive always-the-mean forecast
        sum(label) as sum_label,
        sum(label * label) as sum_label_sq
    from labelled
    group by all
)

select * from final
