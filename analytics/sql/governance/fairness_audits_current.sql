-- grain: one row per fairness audit and group, with the audit's latest sign-off and re-audit date
with groups as (
    select *
    from fairness_audits
    where group_value is not null and ($model_id is null or model_id = $model_id)
),

signoffs as (
    select
        audit_id,
        arg_max(signed_off_by, signed_off_at) as signed_off_by,
        max(signed_off_at) as signed_off_at,
        arg_max(reaudit_on, signed_off_at) as reaudit_on,
        arg_max_null(sign_off_reason, signed_off_at) as sign_off_reason
    from fairness_audits
    where group_value is null and signed_off_at is not null
    group by audit_id
),

latest as (
    select model_id, arg_max(audit_id, audited_at) as latest_audit_id
    from groups
    group by model_id
),

final as (
    select
        g.audit_id,
        g.audited_at,
        g.model_id,
        g.sensitive_attribute,
        g.group_value,
        g.n,
        g.selection_rate,
        g.recall,
        g.fpr,
        g.disparate_impact,
        g.window_start_at,
        g.window_end_at,
        s.signed_off_by,
        s.signed_off_at,
        s.sign_off_reason,
        g.selection_low,
        g.selection_high,
        coalesce(s.reaudit_on, g.reaudit_on) as reaudit_on,
        g.audit_id = l.latest_audit_id as is_latest,
        -- only the model's latest audit can be overdue; older ones are superseded
        g.audit_id = l.latest_audit_id and coalesce(s.reaudit_on, g.reaudit_on) < $as_of as is_overdue
    from groups as g
    inner join latest as l using (model_id)
    left join signoffs as s using (audit_id)
    order by g.audited_at desc, g.audit_id, g.group_value
)

select * from final
