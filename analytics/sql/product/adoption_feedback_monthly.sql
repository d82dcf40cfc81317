-- grain: one row per month and model: expert ratings (1-5) submitted in [$start_date, $end_date];
-- countries filter through the rater's country in eligible_users
with rated as (
    select f.*, m.name, m.business_unit, e.country
    from feedback as f
    inner join models as m using (model_id)
    left join eligible_users as e using (model_id, user_id)
    where cast(timezone('UTC', f.submitted_at) as date) between cast($start_date as date)
        and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
        and ($countries is null or list_contains($countries, e.country))
),

final as (
    select
        cast(date_trunc('month', timezone('UTC', submitted_at)) as date) as month,
        model_id,
        any_value(name) as name,
        count(*) as n_ratings,
        avg(rating) as mean_rating,
        count(*) filter (where rating <= 2) as n_low_ratings
    from rated
    group by all
    order by month, model_id
)

select * from final
