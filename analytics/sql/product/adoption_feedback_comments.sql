-- grain: one row per expert rating with a comment in [$start_date, $end_date], newest first
with rated as (
    select f.*, m.name, m.business_unit, e.country, e.team
    from feedback as f
    inner join models as m using (model_id)
    left join eligible_users as e using (model_id, user_id)
    where cast(timezone('UTC', f.submitted_at) as date) between cast($start_date as date)
        and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
        and ($countries is null or list_contains($countries, e.country))
        and nullif(trim(f.comment), '') is not null
),

final as (
    select submitted_at, model_id, name, rating, comment, team, country
    from rated
    order by submitted_at desc
)

select * from final
