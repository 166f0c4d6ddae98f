{#- The people an incremental build rebuilds: whoever a record loaded since the window's start
    belongs to (contacts, scores, touchpoints, leads and their history, opportunities and theirs),
    and every person a contact or lead record belonged to before or after changing hands. The
    window starts at the oldest recorded build of the incremental models (macros/incremental.sql);
    empty when there is none, as every incremental model then recomputes everything. -#}
{%- set since = changed_people_since() %}
{{ config(indexes=[{'columns': ['person_id'], 'unique': True}]) }}
-- depends_on: {{ ref('int_person_members') }}, {{ ref('int_contacts_resolved') }}, {{ ref('int_leads_resolved') }}
-- depends_on: {{ ref('stg_marketing__contacts') }}, {{ ref('stg_marketing__lead_scores') }}, {{ ref('stg_marketing__touchpoints') }}, {{ ref('stg_marketing__lifecycle_changes') }}
-- depends_on: {{ ref('stg_crm__leads') }}, {{ ref('stg_crm__lead_history') }}, {{ ref('int_opportunities_resolved') }}, {{ ref('stg_crm__opportunity_history') }}

{% if since is not none %}
with members as (
    select person_id, previous_person_id
    from {{ ref('int_person_members') }}
    where changed_at >= {{ since }}
),

changed_contacts as (
    select contact_id from {{ ref('stg_marketing__contacts') }} where _loaded_at >= {{ since }}
    union
    select contact_id from {{ ref('stg_marketing__lead_scores') }} where _loaded_at >= {{ since }}
    union
    select contact_id from {{ ref('stg_marketing__lifecycle_changes') }}
    where _loaded_at >= {{ since }}
    union
    select contact_id from {{ ref('stg_marketing__touchpoints') }}
    where _loaded_at >= {{ since }} and contact_id is not null
),

changed_leads as (
    select lead_id from {{ ref('stg_crm__leads') }} where _loaded_at >= {{ since }}
    union
    select lead_id from {{ ref('stg_crm__lead_history') }} where _loaded_at >= {{ since }}
    union
    select lead_id from {{ ref('int_opportunities_resolved') }}
    where _loaded_at >= {{ since }} and lead_id is not null
    union
    select opportunities.lead_id
    from {{ ref('stg_crm__opportunity_history') }} as history
    inner join {{ ref('int_opportunities_resolved') }} as opportunities
        on history.opportunity_id = opportunities.opportunity_id
    where history._loaded_at >= {{ since }} and opportunities.lead_id is not null
),

people as (
    select person_id from members
    union
    select previous_person_id from members
    union
    select resolved.person_id
    from {{ ref('int_contacts_resolved') }} as resolved
    inner join changed_contacts on resolved.contact_id = changed_contacts.contact_id
    union
    select leads.person_id
    from {{ ref('int_leads_resolved') }} as leads
    inner join changed_leads on leads.lead_id = changed_leads.lead_id
)

select person_id from people where person_id is not null
{% else %}
select cast(null as {{ dbt.type_string() }}) as person_id
where false
{% endif %}
