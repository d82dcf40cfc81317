-- grain: one row per asset kind ('model', 'dataset', 'experiment'), asset id and business unit it
-- belongs to. A model belongs to its own unit; an experiment to its model's; a dataset to the unit
-- of every model it feeds through the lineage graph (a dataset feeding no model belongs to none, so
-- a scoped user does not see it).
with recursive walk (dataset_id, kind, id, depth) as (
    select
        dataset_id,
        'dataset' as kind,
        dataset_id as id,
        0 as depth
    from datasets
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
    -- a node names a model when it is the model id or starts with it (e.g. "churn_propensity@3");
    -- the longest matching id wins, so "churn" never claims "churn_propensity@3"
    select
        w.dataset_id,
        w.id as node_id,
        arg_max(m.business_unit, length(m.model_id)) as business_unit
    from walk as w
    inner join models as m
        on w.id = m.model_id
        or (w.kind in ('model_version', 'deployment') and starts_with(w.id, m.model_id))
    group by all
),

dataset_units as (
    select distinct
        'dataset' as asset_kind,
        dataset_id as asset_id,
        business_unit
    from reached
),

final as (
    select
        'model' as asset_kind,
        model_id as asset_id,
        business_unit
    from models
    union
    select
        'experiment' as asset_kind,
        d.experiment_id as asset_id,
        m.business_unit
    from experiment_defs as d
    inner join models as m using (model_id)
    union
    select * from dataset_units
)

select * from final
