-- grain: one row per violation, so none when sound: adoption_cells has one row per model, business unit, team and country,
-- and regular <= tried <= eligible in every cell
with cells as (
    select * from (QUERY_ADOPTION_CELLS)
),

duplicates as (
    select model_id, business_unit, team, country, 'duplicate cell' as problem
    from cells
    group by all
    having count(*) > 1
),

final as (
    select * from duplicates
    union all
    select model_id, business_unit, team, country, 'funnel not nested' as problem
    from cells
    where n_regular > n_tried or n_tried > n_eligible or n_regular < 0
)

select * from final
