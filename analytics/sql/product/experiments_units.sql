-- grain: one row per unit and metric of the experiment $experiment_id (assignment, value, pre-period
-- covariate)
with final as (
    select unit_id, variant, metric, metric_kind, value, pre_value
    from experiments
    where experiment_id = $experiment_id
)

select * from final
