-- grain: one row: adoption_rate, active seats / eligible seats in [$start_date, $end_date] (null
-- when no seat is eligible), with n_active_seats and n_eligible_seats
with cells as (
    select * from (QUERY_ADOPTION_CELLS)
),

final as (
    select
        cast(coalesce(sum(n_tried), 0) as bigint) as n_active_seats,
        cast(coalesce(sum(n_eligible), 0) as bigint) as n_eligible_seats,
        sum(n_tried) / nullif(sum(n_eligible), 0) as adoption_rate
    from cells
)

select * from final
