-- grain: one row per asset kind ('model', 'dataset', 'experiment'), asset id and business unit it
-- belongs to. A model belongs to its own unit; an experiment to its model's; a dataset to the unit
-- of every model it feeds through the lineage graph (a dataset feeding no model belongs to none, so
-- a scoped user does not see it).
with dataset_units as (
    select distinct
        'dataset' as asset_kind,
        dataset_id as asset_id,
        business_unit
    from (QUERY_LINEAGE_DATASET_MODELS)
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
