-- grain: one row per dataset and model downstream of it through the lineage graph (any stage, at
-- most 8 hops), with the model's name, stage and business unit. Shared by the value at risk of a
-- failing dataset (lineage_impact) and the business units a dataset belongs to (scope_assets).
with recursive walk (dataset_id, kind, id, depth) as (
    select
        s.dataset_id,
        'dataset' as kind,
        s.dataset_id as id,
        0 as depth
    from (
        select dataset_id from datasets
        union
        select src_id as dataset_id from lineage where src_kind = 'dataset'
    ) as s
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

final as (
    select distinct
        b.dataset_id,
        r.model_id,
        r.model_name,
        r.stage,
        r.business_unit
    from best as b
    inner join reached as r using (dataset_id, node_id, model_id)
)

select * from final
