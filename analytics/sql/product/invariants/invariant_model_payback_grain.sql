-- grain: one row per violation, so none when sound: model_payback has one row per model and net = benefit - cost to date
with payback as (
    select * from (QUERY_MODEL_PAYBACK)
),

final as (
    select model_id, 'duplicate model' as problem
    from payback
    group by model_id
    having count(*) > 1
    union all
    select model_id, 'net is not benefit - cost' as problem
    from payback
    where abs(net_to_date_usd - (benefit_to_date_usd - cost_to_date_usd)) > 1e-6
)

select * from final
