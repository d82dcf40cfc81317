-- grain: one row per failing dataset and downstream model (any stage), with the model's monthly
-- value from the value ledger (the value at risk when the dataset is broken)
with recursive walk (dataset_id, kind, id, depth) as (
    select
        d.dataset_id,
        'dataset' as kind,
        d.dataset_id as id,
        0 as depth
    from (select unnest(cast($dataset_ids as varchar[])) as dataset_id) as d
    union
    select
        w.dataset_id,
        l.dst_kind,
        l.dst_id,
        w.depth + 1
    from lineage as l
    inner join walk as w on l.src_kind = w.kind and l.src_id = w.id
    where w.depth < 8
),

reached as (
    -- a node names a model when it is the model id or starts with it (e.g. "churn_propensity@3")
    select distinct
        w.dataset_id,
        m.model_id,
        m.name as model_name,
        m.stage,
        m.business_unit,
        length(m.model_id) as match_len,
        w.id as node_id
    from walk as w
    inner join models as m
        on w.id = m.model_id
        or (w.kind in ('model_version', 'deployment') and starts_with(w.id, m.model_id))
),

best as (
    -- the longest matching model id wins (so "churn" never claims "churn_propensity@3")
    select dataset_id, node_id, arg_max(model_id, match_len) as model_id
    from reached
    group by all
),

models_hit as (
    select distinct
        b.dataset_id,
        r.model_id,
        r.model_name,
        r.stage,
        r.business_unit
    from best as b
    inner join reached as r using (dataset_id, node_id, model_id)
),

final as (
    select
        h.dataset_id,
        h.model_id,
        h.model_name,
        h.stage,
        h.business_unit,
        coalesce(v.monthly_value_usd, 0) as monthly_value_usd
    from models_hit as h
    left join (QUERY_MODEL_MONTHLY_VALUE) as v using (model_id)
    order by h.dataset_id, monthly_value_usd desc, h.model_id
)

select * from final
