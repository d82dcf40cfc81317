-- grain: one row per month, model, category and line item: the latest entry (append-only ledger,
-- newest wins; a null line_item is the model's main line)
-- (arg_max per key rather than a row_number window: same rows, a fraction of the fixed cost)
with latest as (
    select
        month,
        model_id,
        category,
        nullif(line_item, '') as line_item,
        arg_max(
            struct_pack(amount_usd, attribution, ci_low_usd, ci_high_usd, entered_by, entered_at, note),
            entered_at
        ) as entry
    from value_ledger
    group by month, model_id, category, nullif(line_item, '')
),

final as (
    select
        month,
        model_id,
        category,
        case when category in ('incremental_revenue', 'cost_savings') then 'benefit' else 'cost' end
            as kind,
        entry.amount_usd,
        entry.attribution,
        entry.ci_low_usd,
        entry.ci_high_usd,
        entry.entered_by,
        entry.entered_at,
        entry.note,
        line_item
    from latest
)

select * from final
