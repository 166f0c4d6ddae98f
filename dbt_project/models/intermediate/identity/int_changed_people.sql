{#- The people an incremental build rebuilds: whoever a record loaded since the window's start
    belongs to (contacts, scores, touchpoints, leads and their history, opportunities and theirs,
    sales activities), every person a contact or lead record belonged to before or after changing
    hands, whoever a record a full export no longer holds belonged to, and everyone an owner that
    changed (int_owner_versions: a user deactivated, a program renamed, an account handed over)
    owns by their records now - whoever it owned before changed a record, and is in already. The
    window starts at the oldest recorded build of the incremental models (macros/incremental.sql);
    empty when there is none, as every incremental model then recomputes everything. -#}
{%- set since = changed_people_since() %}
{{ config(indexes=[{'columns': ['person_id'], 'unique': True}]) }}
-- depends_on: {{ ref('int_person_members') }}, {{ ref('int_contacts_resolved') }}, {{ ref('int_leads_resolved') }}
-- depends_on: {{ ref('stg_marketing__contacts') }}, {{ ref('stg_marketing__lead_scores') }}, {{ ref('stg_marketing__touchpoints') }}, {{ ref('stg_marketing__lifecycle_changes') }}
-- depends_on: {{ ref('stg_crm__leads') }}, {{ ref('stg_crm__lead_history') }}, {{ ref('int_opportunities_resolved') }}, {{ ref('stg_crm__opportunity_history') }}
-- depends_on: {{ ref('int_activities_resolved') }}, {{ ref('int_owner_versions') }}, {{ ref('int_people') }}, {{ ref('stg_crm__accounts') }}, {{ ref('stg_crm__contacts') }}
-- depends_on: {{ ref('int_touchpoints_replaced') }}, {{ ref('int_activities_replaced') }}

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
    {%- for table in ('lead_scores', 'lifecycle_changes') %}
    union
    select contact_id from ({{ removed_rows('marketing', table, since) }}) as removed
    {%- endfor %}
),

-- deals with new history, or a sales activity (an owner's touch of the deal's person)
changed_deals as (
    select opportunity_id from {{ ref('stg_crm__opportunity_history') }}
    where _loaded_at >= {{ since }}
    union
    select opportunity_id from {{ ref('int_activities_resolved') }}
    where _loaded_at >= {{ since }} and opportunity_id is not null
    {%- for table in ('opportunity_history', 'activities') %}
    union
    select opportunity_id from ({{ removed_rows('crm', table, since) }}) as removed
    {%- endfor %}
),

changed_leads as (
    select lead_id from {{ ref('stg_crm__leads') }} where _loaded_at >= {{ since }}
    union
    select lead_id from {{ ref('stg_crm__lead_history') }} where _loaded_at >= {{ since }}
    {%- for table in ('lead_history', 'activities', 'opportunities') %}
    union
    select lead_id from ({{ removed_rows('crm', table, since) }}) as removed
    {%- endfor %}
    union
    -- a removed activity's lead through the CRM contact it names
    select crm_contacts.lead_id
    from ({{ removed_rows('crm', 'activities', since) }}) as removed
    inner join {{ ref('stg_crm__contacts') }} as crm_contacts
        on removed.contact_id = crm_contacts.crm_contact_id
    union
    select lead_id from {{ ref('int_opportunities_resolved') }}
    where _loaded_at >= {{ since }} and lead_id is not null
    union
    select opportunities.lead_id
    from {{ ref('int_opportunities_resolved') }} as opportunities
    inner join changed_deals on opportunities.opportunity_id = changed_deals.opportunity_id
    where opportunities.lead_id is not null
),

owners as (
    select distinct substr(owner_key, strpos(owner_key, ':') + 1) as owner_id,
        split_part(owner_key, ':', 1) as owner_kind
    from {{ ref('int_owner_versions') }}
    where changed_at >= {{ since }}
),

-- the accounts whose owner changed hands, or whose owner (a user) changed
changed_accounts as (
    select owner_id as account_id from owners where owner_kind = 'account'
    union
    select accounts.account_id
    from {{ ref('stg_crm__accounts') }} as accounts
    inner join owners on accounts.owner_id = owners.owner_id and owners.owner_kind = 'user'
),

owned_leads as (
    -- leads a changed user owns, and the leads of deals a changed user or account owns
    select lead_id
    from {{ ref('int_leads_resolved') }}
    where owner_id in (select owner_id from owners where owner_kind = 'user')
    union
    select lead_id
    from {{ ref('int_opportunities_resolved') }}
    where lead_id is not null
        and (owner_id in (select owner_id from owners where owner_kind = 'user')
            or account_id in (select account_id from changed_accounts))
),

-- a sales activity is an owner's touch of its lead's person (and of its deal's: changed_deals)
touched_leads as (
    select person_lead_id as lead_id
    from {{ ref('int_activities_resolved') }}
    where _loaded_at >= {{ since }} and person_lead_id is not null
),

rebuilt_leads as (
    select lead_id from changed_leads
    union
    select lead_id from owned_leads
    union
    select lead_id from touched_leads
),

people as (
    select person_id from members
    union
    select previous_person_id from members
    union
    -- whom a touchpoint or an activity belonged to before it changed or was deleted
    select person_id from {{ ref('int_touchpoints_replaced') }} where replaced_at >= {{ since }}
    union
    select person_id from {{ ref('int_activities_replaced') }} where replaced_at >= {{ since }}
    union
    select resolved.person_id
    from {{ ref('int_contacts_resolved') }} as resolved
    inner join changed_contacts on resolved.contact_id = changed_contacts.contact_id
    union
    select leads.person_id
    from {{ ref('int_leads_resolved') }} as leads
    inner join rebuilt_leads on leads.lead_id = rebuilt_leads.lead_id
    union
    select person_id
    from {{ ref('int_people') }}
    where nurture_program_id in (select owner_id from owners where owner_kind = 'program')
)

select person_id from people where person_id is not null
{% else %}
select cast(null as {{ dbt.type_string() }}) as person_id
where false
{% endif %}
