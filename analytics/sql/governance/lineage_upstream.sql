-- grain: one row per lineage edge reachable upstream of ($node_kind, $node_id) within $max_depth hops
with recursive walk (kind, id, depth) as (
    select
        cast($node_kind as varchar),
        cast($node_id as varchar),
        0
    union
    select
        l.src_kind,
        l.src_id,
        w.depth + 1
    from lineage as l
    inner join walk as w on l.dst_kind = w.kind and l.dst_id = w.id
    where w.depth < $max_depth
),

final as (
    select distinct
        l.src_kind,
        l.src_id,
        l.dst_kind,
        l.dst_id
    from lineage as l
    inner join walk as w on l.dst_kind = w.kind and l.dst_id = w.id
    where w.depth < $max_depth
)

select * from final
