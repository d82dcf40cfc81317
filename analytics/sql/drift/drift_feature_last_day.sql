-- grain: one row per feature: the last day a model version logged a (non-null, finite) value of it,
-- so a feed that stopped can say since when
with profiles as (
    select * from drift_profiles
    union all by name
    select * from drift_profiles_prediction
),

final as (
    select
        feature,
        max(day) as last_day
    from profiles
    where
        model_id = $model_id
        and version = $version
        and n > 0
    group by feature
)

select * from final
