-- grain: The registry state in force: one row per model, kind and name (and version, for approvals and
-- version tags). An alias is a pointer: its newest event wins whatever version it names (a null
-- version means the alias was removed).
with ranked as (
    select
        e.*,
        row_number() over (
            partition by
                e.model_id, e.kind, e.name,
                case when e.kind = 'alias' then null else e.version end
            order by e.event_at desc, e.event_id desc
        ) as rn
    from registry_events as e
),

final as (
    select model_id, version, kind, name, value, actor, event_at, registry_source
    from ranked
    where rn = 1
)

select * from final
