-- grain: one row: n, the ledger months in [$start_date, $end_date] with an entry for a model in
-- the business units of the scope (what the what-if panel annualises from)
with final as (
    select count(distinct l.month) as n
    from value_ledger as l
    inner join models as m using (model_id)
    where l.month between cast($start_date as date) and cast($end_date as date)
        and ($business_units is null or list_contains($business_units, m.business_unit))
)

select * from final
