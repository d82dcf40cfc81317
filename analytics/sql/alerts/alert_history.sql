-- grain: one row per alert row (raised, updated, resolved), with the model's name and business unit,
-- in the order the rows were written; the notification events are derived from it
with rows_ as (
    select
        a.*,
        coalesce(a.updated_at, a.resolved_at, a.created_at) as row_at,
        a.resolved_at is not null as is_resolution
    from alerts as a
),

final as (
    select
        r.*,
        m.name,
        m.business_unit
    from rows_ as r
    left join models as m using (model_id)
    order by r.alert_id, r.is_resolution, r.row_at
)

select * from final
