-- grain: one row per model: invocations in the weeks starting in [$start_date, $end_date], in total and
-- from users in the selected countries (all countries when none are selected)
with usage as (
    select model_id, country, n_invocations
    from rollup_usage_user_week
    where week_start between cast($start_date as date) and cast($end_date as date)
),

final as (
    select
        model_id,
        cast(coalesce(sum(n_invocations), 0) as bigint) as n_invocations,
        cast(coalesce(sum(n_invocations) filter (
            where $countries is null or list_contains($countries, country)
        ), 0) as bigint) as n_invocations_selected
    from usage
    group by model_id
)

select * from final
