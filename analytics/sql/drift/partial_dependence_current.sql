-- grain: one row per feature and grid point of one model version: the newest partial dependence
-- computation in force, for a model of the business units $units (all when null)
with in_scope as (
    select model_id
    from models
    where model_id = $model_id and ($units is null or list_contains($units, business_unit))
),

latest as (
    select max(computed_at) as computed_at
    from partial_dependence
    where model_id = $model_id and version = $version
),

final as (
    select
        d.model_id,
        d.feature,
        d.rank,
        d.grid_value,
        d.average,
        d.method,
        d.surrogate_r2,
        d.ref_low,
        d.ref_high
    from partial_dependence as d
    inner join latest as l on d.computed_at = l.computed_at
    inner join in_scope as s on d.model_id = s.model_id
    where d.version = $version
    order by d.rank, d.grid_value
)

select * from final
