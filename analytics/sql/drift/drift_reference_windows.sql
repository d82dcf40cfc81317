-- grain: one row per model version: its drift reference window (the training window, in days)
with final as (
    select
        model_id,
        version,
        registered_at,
        cast(timezone('UTC', train_start_at) as date) as ref_start,
        cast(timezone('UTC', train_end_at) as date) as ref_end
    from model_versions
    order by model_id, registered_at
)

select * from final
