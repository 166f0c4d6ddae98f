{#- Orphans grouped by their last owner and the team that should own them (grain: owner_key x
    expected_owner_team): whom to ask first. -#}

with orphans as (
    select
        owner_id,
        owner_name,
        owner_team,
        expected_owner_team,
        reason,
        hours_orphaned
    from {{ ref('orphaned_leads') }}
),

final as (
    select
        coalesce(owner_id, '(no owner)') || '|' || coalesce(expected_owner_team, 'none')
            as orphans_by_owner_id,
        coalesce(owner_id, '(no owner)') as owner_key,
        max(owner_name) as owner_name,
        max(owner_team) as owner_team,
        expected_owner_team,
        count(*) as orphans,
        max(hours_orphaned) as oldest_hours_orphaned,
        {{ as_of() }} as as_of
    from orphans
    group by coalesce(owner_id, '(no owner)'), expected_owner_team
)

select * from final
