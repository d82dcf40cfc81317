-- grain: one row per model, version, week of prediction (monday), segment kind (team, country),
-- segment, label and score bin (1/1000) for classifiers (one row per segment and week for
-- regressors): labelled predictions that met for the first time in this refresh, joined as in
-- drift_performance_rows (new outcomes with every prediction, seen outcomes with new predictions)
with pairs as (
    select
        p.model_id,
        p.version,
        p.prediction_at,
        p.team,
        p.country,
        p.score,
        o.label
    from src as o
    inner join joined as p on o.request_id = p.request_id and o.model_id = p.model_id
    union all
    select
        p.model_id,
        p.version,
        p.prediction_at,
        p.team,
        p.country,
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
        team,
        country,
        label,
        score
    from pairs
    where label is not null and score is not null
),

segmented as (
    select
        model_id,
        version,
        week_start,
        'team' as segment_kind,
        coalesce(team, '(unknown)') as segment,
        label,
        score
    from labelled
    union all
    select
        model_id,
        version,
        week_start,
        'country' as segment_kind,
        coalesce(country, '(unknown)') as segment,
        label,
        score
    from labelled
),

final as (
    select
        model_id,
        version,
        week_start,
        segment_kind,
        segment,
        -- classifiers (labels 0/1) keep the score histogram for AUC; regressors only the error sums
        case when label in (0, 1) then label end as label,
        case when label in (0, 1) then cast(least(greatest(floor(score * 1000), 0), 1000) as integer) end
            as score_bin,
        count(*) as n,
        sum(abs(score - label)) as sum_abs_err
    from segmented
    group by all
)

select * from final
