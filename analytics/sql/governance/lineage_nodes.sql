-- grain: one row per node of the lineage graph (kind, id), for pickers
with nodes as (
    select distinct
        src_kind as kind,
        src_id as id
    from lineage
    union
    select distinct
        dst_kind as kind,
        dst_id as id
    from lineage
),

final as (
    select kind, id
    from nodes
    order by kind, id
)

select * from final
