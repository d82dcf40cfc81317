-- grain: one row per month, model, category and line item: the latest entry (append-only ledger,
-- newest wins; a null line_item is the model's main line)
with ranked as (
    select
        *,
        row_number() over (
            partition by month, model_id, category, coalesce(line_item, '') order by entered_at desc
        ) as rn
    from value_ledger
),

final as (
    select
        month,
        model_id,
        category,
        case when category in ('incremental_revenue', 'cost_savings') then 'benefit' else 'cost' end
            as kind,
        amount_usd,
        attribution,
        ci_low_usd,
        ci_high_usd,
        entered_by,
        entered_at,
        note,
        line_item
    from ranked
    where rn = 1
)

select * from final
