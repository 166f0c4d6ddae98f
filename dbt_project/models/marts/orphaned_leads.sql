{#- Principle 2, "no lead falls between the chairs": one row per open person (prospect onward)
    that no active owner of the right team holds, with the first reason that applies. -#}
{%- set sla_hours = stage_sla_hours('lead') -%}
{%- set stale_days = policy()['stale_days'] -%}

with people as (
    select * from {{ ref('dim_people') }}
    where is_open
),

judged as (
    select
        people.*,
        case
            when owner_id is null or owner_team is null then 'no_owner'
            when not owner_is_active then 'owner_inactive'
            when owner_team <> expected_owner_team then 'team_mismatch'
            {%- if sla_hours is not none %}
            when current_stage = 'lead' and lead_status = 'new'
                and stage_entered_at < {{ dbt.dateadd('hour', -sla_hours, as_of()) }}
                then 'sla_breached'
            {%- endif %}
            {%- if stale_days is not none %}
            when current_stage = 'opportunity'
                or (current_stage = 'lead' and lead_status <> 'new')
                then case
                    when last_owner_touch_at is null
                        or last_owner_touch_at < {{ dbt.dateadd('day', -stale_days, as_of()) }}
                        then 'stale'
                end
            {%- endif %}
        end as reason
    from people
),

orphans as (
    select
        judged.*,
        case reason
            when 'owner_inactive' then
                case
                    when owner_deactivated_at > stage_entered_at then owner_deactivated_at
                    else stage_entered_at
                end
            {%- if sla_hours is not none %}
            when 'sla_breached' then {{ dbt.dateadd('hour', sla_hours, 'stage_entered_at') }}
            {%- endif %}
            {%- if stale_days is not none %}
            when 'stale' then {{ dbt.dateadd('day', stale_days, 'coalesce(last_owner_touch_at, stage_entered_at)') }}
            {%- endif %}
            else stage_entered_at
        end as orphaned_since
    from judged
    where reason is not null
),

final as (
    select
        person_id,
        email_hash,
        reason,
        current_stage,
        owner_type,
        owner_id,
        owner_name,
        owner_team,
        expected_owner_team,
        lead_id,
        opportunity_id,
        orphaned_since,
        cast({{ dbt.datediff('orphaned_since', as_of(), 'hour') }} as {{ dbt.type_bigint() }})
            as hours_orphaned,
        {{ as_of() }} as as_of
    from orphans
)

select * from final
