{#- Every CRM activity with the lead it works on (directly, or through its opportunity) and that
    lead's person. Incremental: activities loaded since the last build, those on opportunities
    loaded since, and those on leads that changed hands are (re)written. -#}
{{ config(materialized='incremental', unique_key='activity_id',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['activity_id'], 'unique': True}],
    post_hook="{{ record_build() }}") }}
{%- set since = incremental_since() %}
-- depends_on: {{ ref('int_person_members') }}

with activities as (
    select * from {{ ref('stg_crm__activities') }}
),

opportunities as (
    select opportunity_id, lead_id, _loaded_at
    from {{ ref('stg_crm__opportunities') }}
),

leads as (
    select lead_id, person_id
    from {{ ref('int_leads_resolved') }}
),

final as (
    select
        activities.*,
        coalesce(activities.lead_id, opportunities.lead_id) as person_lead_id,
        leads.person_id
    from activities
    left join opportunities on opportunities.opportunity_id = activities.opportunity_id
    left join leads on leads.lead_id = coalesce(activities.lead_id, opportunities.lead_id)
    {%- if since is not none %}
    where activities._loaded_at >= {{ since }}
        or opportunities._loaded_at >= {{ since }}
        or coalesce(activities.lead_id, opportunities.lead_id) in (
            {{ rehomed_records('lead', since) }})
    {%- endif %}
)

select * from final
