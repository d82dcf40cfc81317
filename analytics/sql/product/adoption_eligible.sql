-- grain: one row per eligible seat (model and user) as of $end_date, within the business-unit and
-- country filters, with the seat's cell: business unit, team and country ('(no team)' and
-- '(no country)' when unknown)
with final as (
    select
        e.model_id,
        e.user_id,
        m.business_unit,
        coalesce(e.team, '(no team)') as team,
        coalesce(e.country, '(no country)') as country
    from eligible_users as e
    inner join models as m using (model_id)
    where (e.eligible_from is null or e.eligible_from <= cast($end_date as date))
        and ($business_units is null or list_contains($business_units, m.business_unit))
        and ($countries is null or list_contains($countries, e.country))
)

select * from final
