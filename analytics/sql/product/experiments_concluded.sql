-- grain: one row per concluded A/B test, with whether the value ledger already holds the measured
-- figure written from it (entered_by = 'experiment:<id>')
with written as (
    select distinct entered_by from value_ledger where entered_by like 'experiment:%'
),

final as (
    select
        d.*,
        ('experiment:' || d.experiment_id) in (select entered_by from written) as is_recorded
    from experiment_defs as d
    where d.status = 'concluded'
    order by d.experiment_id
)

select * from final
