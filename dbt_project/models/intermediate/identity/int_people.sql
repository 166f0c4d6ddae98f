{#- Identity, part 3: who is a person, and what is known of them. A person is a surviving marketing
    contact, or a CRM lead that no contact claims (no contact link, no contact with its email):
    exports from a CRM alone, or with ids and no emails, still give people. A lead-only person's
    id is `lead:<lead_id>`, so it never collides with a contact id. Incremental: the people whose
    id is one of the records int_rebuilt_members names are rebuilt; person_id is unique by the
    model's unique index. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id'], 'unique': True}],
    pre_hook="{{ delete_rebuilt('person_id', 'member_people') }}",
    post_hook="{{ record_build() }}") }}
-- depends_on: {{ ref('int_rebuilt_members') }}

with contacts as (
    select
        resolved.person_id,
        'contact' as person_kind,
        contacts.email,
        contacts.job_title,
        contacts.industry,
        contacts.country,
        contacts.company_size,
        contacts.nurture_program_id,
        contacts.created_at
    from {{ ref('stg_marketing__contacts') }} as contacts
    inner join {{ ref('int_contacts_resolved') }} as resolved
        on resolved.contact_id = contacts.contact_id
        -- the survivor itself (not a record merged into it)
        and resolved.person_id = {{ person_key('contacts.contact_id') }}
    where {{ only_rebuilt('contacts.contact_id', 'contact', by_key=true) }}
),

lead_only as (
    select
        person_id,
        'lead' as person_kind,
        email,
        cast(null as {{ dbt.type_string() }}) as job_title,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_bigint() }}) as company_size,
        cast(null as {{ dbt.type_string() }}) as nurture_program_id,
        created_at
    from {{ ref('int_leads_resolved') }}
    where matched_by = 'lead_only' and {{ only_rebuilt('lead_id', 'lead', by_key=true) }}
),

unioned as (
    select * from contacts
    union all
    select * from lead_only
)

select * from unioned
