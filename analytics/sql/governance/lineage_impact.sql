-- grain: one row per failing dataset and downstream model (any stage), with the model's monthly
-- value from the value ledger (the value at risk when the dataset is broken)
with final as (
    select
        h.dataset_id,
        h.model_id,
        h.model_name,
        h.stage,
        h.business_unit,
        coalesce(v.monthly_value_usd, 0) as monthly_value_usd
    from (QUERY_LINEAGE_DATASET_MODELS) as h
    left join (QUERY_MODEL_MONTHLY_VALUE) as v using (model_id)
    where h.dataset_id in (select unnest(cast($dataset_ids as varchar[])))
    order by h.dataset_id, monthly_value_usd desc, h.model_id
)

select * from final
