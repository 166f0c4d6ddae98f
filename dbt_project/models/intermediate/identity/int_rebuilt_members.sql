{#- The contact and lead records whose person an incremental build recomputes (int_contacts_resolved,
    int_leads_resolved, int_people, int_person_members rebuild theirs and keep the rest):
    - contacts loaded since the window's start (new, changed, or gone from a full export), and the
      contacts merged into one of them or into one merged into one of them (a person follows two
      merges, int_contacts_resolved);
    - leads loaded since (or gone), the leads linked to one of those contacts, the leads whose
      address matched one of the loaded contacts (email_contact_id), and the leads with an address
      a loaded contact holds now (a contact may now be the earliest with it).
    What the records were before is read from the identity tables as the previous build left them:
    looked up, not ref'd, as this model runs before their rebuild. Empty when the incremental models
    recompute everything (no recorded build, macros/incremental.sql), as they then read none of it. -#}
{%- set since = changed_people_since() %}
{%- set contacts_before = adapter.get_relation(this.database, this.schema, 'int_contacts_resolved') if execute else none %}
{%- set leads_before = adapter.get_relation(this.database, this.schema, 'int_leads_resolved') if execute else none %}
{{ config(indexes=[{'columns': ['member_kind', 'record_id'], 'unique': True}]) }}
-- depends_on: {{ ref('stg_marketing__contacts') }}, {{ ref('stg_crm__leads') }}

{% if since is not none and contacts_before is not none and leads_before is not none %}
with loaded as (
    select contact_id, email from {{ ref('stg_marketing__contacts') }}
    where _loaded_at >= {{ since }}
),

loaded_contacts as (
    select contact_id from loaded
    union
    select contact_id from ({{ removed_rows('marketing', 'contacts', since) }}) as removed
),

merged_into_loaded as (
    select contact_id from {{ contacts_before }}
    where merged_into_id in (select contact_id from loaded_contacts)
),

contacts as (
    select contact_id from loaded_contacts
    union
    select contact_id from merged_into_loaded
    union
    select contact_id from {{ contacts_before }}
    where merged_into_id in (select contact_id from merged_into_loaded)
),

-- the addresses the loaded contacts hold now (a gone record holds none)
addresses as (
    select email from loaded where email is not null
),

leads as (
    select lead_id from {{ ref('stg_crm__leads') }} where _loaded_at >= {{ since }}
    union
    select lead_id from ({{ removed_rows('crm', 'leads', since) }}) as removed
    union
    select lead_id from {{ leads_before }}
    where contact_id in (select contact_id from contacts)
    union
    select lead_id from {{ leads_before }}
    where email_contact_id in (select contact_id from loaded_contacts)
    union
    select lead_id from {{ leads_before }}
    where email in (select email from addresses)
)

select 'contact' as member_kind, contact_id as record_id from contacts
union all
select 'lead', lead_id from leads
{% else %}
select
    cast(null as {{ dbt.type_string() }}) as member_kind,
    cast(null as {{ dbt.type_string() }}) as record_id
where false
{% endif %}
