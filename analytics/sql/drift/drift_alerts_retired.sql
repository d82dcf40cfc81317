-- grain: one row per retired model (no longer serves: its drift raises no alert)
with final as (
    select model_id
    from models
    where stage = 'retired'
)

select * from final
