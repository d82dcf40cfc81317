-- grain: one row per ledger entry (the full append-only history) for months in [$start_date, $end_date];
-- is_current marks the entry that is the figure for its month, model, category and line item (newest wins)
with ranked as (
    select
        l.*,
        m.name,
        m.business_unit,
        row_number() over (
            partition by l.month, l.model_id, l.category, coalesce(l.line_item, '')
            order by l.entered_at desc
        ) = 1 as is_current
    from value_ledger as l
    left join models as m using (model_id)
    where ($business_units is null or list_contains($business_units, m.business_unit))
        and ($model_ids is null or list_contains($model_ids, l.model_id))
),

final as (
    select
        month,
        model_id,
        name,
        business_unit,
        category,
        case when category in ('incremental_revenue', 'cost_savings') then 'benefit' else 'cost' end
            as kind,
        amount_usd,
        attribution,
        ci_low_usd,
        ci_high_usd,
        is_current,
        entered_by,
        entered_at,
        note,
        line_item
    from ranked
    where month between cast($start_date as date) and cast($end_date as date)
    order by month desc, model_id, category, entered_at desc
)

select * from final
