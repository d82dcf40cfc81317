-- grain: one row per model that has drift profiles (logged features or predictions, after a refresh)
with final as (
    select distinct model_id from drift_profiles
    union
    select distinct model_id from drift_profiles_prediction
)

select * from final
