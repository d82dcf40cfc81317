-- grain: one row per violation, so none when sound: the adoption rate is a share in [0, 1] and equals active / eligible seats
with kpi as (
    select * from (QUERY_ADOPTION_RATE)
),

final as (
    select *
    from kpi
    where adoption_rate < 0
        or adoption_rate > 1
        or n_active_seats > n_eligible_seats
        or (n_eligible_seats > 0 and abs(adoption_rate - n_active_seats / n_eligible_seats) > 1e-12)
)

select * from final
