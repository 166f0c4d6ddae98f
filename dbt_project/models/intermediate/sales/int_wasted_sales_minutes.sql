{#- Principle 1, judged per person: the minutes each owner's activities on a person were spent
    before the person was ripe - before their first MQL (or never an MQL) or on a lead later
    recycled or disqualified - by the channel of the person's first known touch. Activities of no
    known person (person_id null) count as unripe, channel unknown. Every owner is kept; the mart
    prices the sales team's (kpi_wasted_sales_time). Incremental: the people int_changed_people
    names (whose activities, leads, MQL or first touch changed), and the activities of nobody,
    are rebuilt. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id']}],
    pre_hook="{{ delete_rebuilt_people(nobody=true) }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with leads as (
    select lead_id, person_id
    from {{ ref('int_leads_resolved') }}
),

activities as (
    select
        activities.owner_id,
        activities.lead_id,
        activities.started_at,
        activities.duration_minutes,
        leads.person_id
    from {{ ref('int_activities_resolved') }} as activities
    left join leads on activities.person_lead_id = leads.lead_id
),

last_lead_closings as (
    -- a sales touch on a lead that is later recycled or disqualified was spent too early
    select lead_id, max(changed_at) as last_closed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status' and new_value in ('recycled', 'disqualified')
    group by lead_id
),

qualified as (
    select contact_id, mql_at
    from {{ ref('int_contacts_qualified') }}
),

source_channels as (
    select person_id, source_channel as channel
    from {{ ref('int_people_sources') }}
),

judged as (
    select
        activities.person_id,
        activities.owner_id,
        coalesce(source_channels.channel, 'unknown') as source_channel,
        coalesce(activities.duration_minutes, 0) as duration_minutes,
        case
            when qualified.mql_at is null or activities.started_at < qualified.mql_at then true
            when last_lead_closings.last_closed_at >= activities.started_at then true
            else false
        end as is_wasted
    from activities
    left join qualified on activities.person_id = qualified.contact_id
    left join source_channels on activities.person_id = source_channels.person_id
    left join last_lead_closings on activities.lead_id = last_lead_closings.lead_id
    where {{ only_rebuilt_people('activities.person_id', nobody=true) }}
),

final as (
    select
        person_id,
        owner_id,
        source_channel,
        cast(sum(duration_minutes) as {{ dbt.type_bigint() }}) as wasted_minutes
    from judged
    where is_wasted
    group by person_id, owner_id, source_channel
)

select * from final
