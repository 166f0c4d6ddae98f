{#- Orphans counted by reason and by the team that should own them (grain: reason x team): what
    the run summary, the report and the alert all read, so their counts never differ. -#}

with orphans as (
    select reason, expected_owner_team, hours_orphaned
    from {{ ref('orphaned_leads') }}
),

final as (
    select
        reason || '|' || coalesce(expected_owner_team, 'none') as orphans_by_reason_id,
        reason,
        expected_owner_team,
        count(*) as orphans,
        max(hours_orphaned) as oldest_hours_orphaned,
        {{ as_of() }} as as_of
    from orphans
    group by reason, expected_owner_team
)

select * from final
