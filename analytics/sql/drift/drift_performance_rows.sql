-- grain: one row per model, version, week of prediction (monday), label and score bin (1/1000):
-- (classifiers; one row per week for regressors) labelled predictions that met for the first time
-- in this refresh: new outcome files `src` with every prediction `joined`, plus outcomes already
-- rolled up `src_seen` with new prediction files `joined_new` (a prediction logged after its outcome)
with pairs as (
    select
        p.model_id,
        p.version,
        p.prediction_at,
        p.score,
        o.label
    from src as o
    inner join joined as p on o.request_id = p.request_id and o.model_id = p.model_id
    union all
    select
        p.model_id,
        p.version,
        p.prediction_at,
        p.score,
        o.label
    from src_seen as o
    inner join joined_new as p on o.request_id = p.request_id and o.model_id = p.model_id
),

labelled as (
    select
        model_id,
        version,
        cast(date_trunc('week', timezone('UTC', prediction_at)) as date) as week_start,
        label,
        score
    from pairs
    where label is not null and score is not null
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
