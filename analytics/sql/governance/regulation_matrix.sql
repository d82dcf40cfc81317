-- grain: one row per tracker cell (asset kind, asset, regulation, obligation) with its latest edit;
-- expected cells come from the catalog's regulations and lineage, edited cells are always included
with obligations as (
    select
        unnest(cast($regulations as varchar[])) as regulation,
        unnest(cast($obligations as varchar[])) as obligation
),

dataset_regs as (
    select
        'dataset' as asset_kind,
        dataset_id as asset_id,
        coalesce(nullif(trim(steward), ''), nullif(trim(owner), '')) as default_owner,
        unnest(regulations) as regulation
    from datasets
),

model_regs as (
    select distinct
        'model' as asset_kind,
        m.model_id as asset_id,
        m.owner as default_owner,
        d.regulation
    from models as m
    inner join lineage as lv
        on lv.dst_kind = 'model_version' and starts_with(lv.dst_id, m.model_id || '@')
    inner join lineage as lf
        on lf.src_kind = 'dataset' and lf.dst_kind = 'feature' and lf.dst_id = lv.src_id
    inner join dataset_regs as d on d.asset_id = lf.src_id
    where m.stage != 'retired'
    union
    select
        'model' as asset_kind,
        model_id as asset_id,
        owner as default_owner,
        'SOC2' as regulation
    from models
    where stage != 'retired'
),

expected as (
    select a.asset_kind, a.asset_id, a.default_owner, o.regulation, o.obligation
    from (
        select * from dataset_regs
        union all
        select * from model_regs
    ) as a
    inner join obligations as o using (regulation)
),

latest as (
    select
        asset_kind,
        asset_id,
        regulation,
        obligation,
        arg_max(status, event_at) as status,
        arg_max(owner, event_at) as owner,
        arg_max(evidence_url, event_at) as evidence_url,
        arg_max(reviewed_on, event_at) as reviewed_on,
        arg_max(next_review_on, event_at) as next_review_on,
        arg_max(note, event_at) as note,
        arg_max(actor, event_at) as last_actor,
        max(event_at) as last_event_at,
        count(*) as n_edits
    from regulation_events
    group by all
),

final as (
    select
        coalesce(e.asset_kind, l.asset_kind) as asset_kind,
        coalesce(e.asset_id, l.asset_id) as asset_id,
        coalesce(e.regulation, l.regulation) as regulation,
        coalesce(e.obligation, l.obligation) as obligation,
        coalesce(l.status, 'not_assessed') as status,
        coalesce(l.owner, e.default_owner) as owner,
        l.evidence_url,
        l.reviewed_on,
        l.next_review_on,
        coalesce(l.next_review_on < $as_of, false) as is_overdue,
        l.note,
        l.last_actor,
        l.last_event_at,
        coalesce(l.n_edits, 0) as n_edits
    from expected as e
    full outer join latest as l
        on
            e.asset_kind = l.asset_kind
            and e.asset_id = l.asset_id
            and e.regulation = l.regulation
            and e.obligation = l.obligation
    where $asset_kind is null or coalesce(e.asset_kind, l.asset_kind) = $asset_kind
    order by asset_kind, asset_id, regulation, obligation
)

select * from final
