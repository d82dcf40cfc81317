-- grain: one row: d, the last day with drift profiles of model $m version $v (null when none)
with final as (
    select max(day) as d
    from drift_profiles
    where model_id = $m and version = $v
)

select * from final
