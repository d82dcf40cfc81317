-- grain: one row per logged feature of a labelled, scored request of one model version predicted in
-- [$start_at, $end_at) (long format, with the prediction and the label): the reference direct loss
-- estimation fits its loss models on. The rows of estimate_loss_rows that have a label.
with final as (
    select r.request_id, r.week_start, r.score, o.label, r.feature, r.value_num, r.value_cat
    from (QUERY_ESTIMATE_LOSS_ROWS) as r
    inner join outcomes as o on r.request_id = o.request_id
    where o.model_id = $model_id and o.observed_at >= $start_at and o.label is not null
)

select * from final
