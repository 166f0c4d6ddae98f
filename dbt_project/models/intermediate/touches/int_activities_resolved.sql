{#- Every CRM activity with the lead it works on (directly, or through its opportunity) and that
    lead's person. Incremental: activities loaded since the last build, those on opportunities
    loaded since, and those on leads that changed hands are (re)written; those a full export no
    longer holds are deleted. -#}
{{ config(materialized='incremental', unique_key='activity_id',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['activity_id'], 'unique': True}],
    pre_hook="{{ delete_removed_records('activity_id', 'crm', 'activities') }}",
    post_hook="{{ record_build() }}") }}
{%- set since = incremental_since() %}
-- depends_on: {{ ref('int_person_members') }}
-- what this build replaces is read first: {{ ref('int_activities_replaced') }}

with activities as (
    select * from {{ ref('stg_crm__activities') }}
),

opportunities as (
    select opportunity_id, lead_id, _loaded_at
    from {{ ref('int_opportunities_resolved') }}
),

crm_contacts as (
    select crm_contact_id, lead_id, _loaded_at
    from {{ ref('stg_crm__contacts') }}
    where lead_id is not null
),

leads as (
    select lead_id, person_id
    from {{ ref('int_leads_resolved') }}
),

linked as (
    -- the lead worked: named by the activity, else through its opportunity, else through the CRM
    -- contact it names (the lead that contact was converted from)
    select
        activities.*,
        coalesce(activities.lead_id, opportunities.lead_id, crm_contacts.lead_id) as person_lead_id,
        opportunities._loaded_at as opportunity_loaded_at,
        crm_contacts._loaded_at as crm_contact_loaded_at
    from activities
    left join opportunities on activities.opportunity_id = opportunities.opportunity_id
    left join crm_contacts on activities.crm_contact_id = crm_contacts.crm_contact_id
),

final as (
    select
        linked.activity_id,
        linked.owner_id,
        linked.lead_id,
        linked.opportunity_id,
        linked.activity_type,
        linked.started_at,
        linked.duration_minutes,
        linked._loaded_at,
        linked.person_lead_id,
        leads.person_id
    from linked
    left join leads on linked.person_lead_id = leads.lead_id
    {%- if since is not none %}
    where linked._loaded_at >= {{ since }}
        or linked.opportunity_loaded_at >= {{ since }}
        or linked.crm_contact_loaded_at >= {{ since }}
        or linked.person_lead_id in ({{ rehomed_records('lead', since) }})
    {%- endif %}
)

select * from final
