-- grain: one row per scored request of the view `src` and segment kind (team, country): the score as
-- the pseudo-feature "prediction", with the request's segment ('(unknown)' when not logged)
with scored as (
    select
        model_id,
        cast(timezone('UTC', prediction_at) as date) as day,
        team,
        country,
        score
    from src
    where $model_id is null or model_id = $model_id
),

final as (
    select
        model_id,
        day,
        'team' as segment_kind,
        coalesce(team, '(unknown)') as segment,
        'prediction' as feature,
        score as value_num,
        cast(null as varchar) as value_cat
    from scored
    union all
    select
        model_id,
        day,
        'country' as segment_kind,
        coalesce(country, '(unknown)') as segment,
        'prediction' as feature,
        score as value_num,
        cast(null as varchar) as value_cat
    from scored
)

select * from final
