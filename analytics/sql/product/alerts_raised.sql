-- grain: one row: alerts raised in the window and in the previous window of equal length
with scoped as (
    select a.created_at
    from alerts as a
    inner join models as m using (model_id)
    where a.resolved_at is null  -- the raising row, not a later resolution row
        and ($business_units is null or list_contains($business_units, m.business_unit))
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
