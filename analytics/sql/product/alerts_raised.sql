-- grain: one row: alerts raised (first detected) in the window and in the previous window of equal
-- length; an alert counts once however many update or resolution rows it has
with raised as (
    select distinct a.alert_id, a.created_at, a.model_id
    from alerts as a
),

scoped as (
    select r.created_at
    from raised as r
    inner join models as m using (model_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
),

final as (
    select
        count(*) filter (
            where cast(created_at as date) between cast($start_date as date) and cast($end_date as date)
        ) as n_current,
        count(*) filter (
            where cast(created_at as date)
            between cast($prev_start_date as date) and cast($prev_end_date as date)
        ) as n_previous
    from scoped
)

select * from final
