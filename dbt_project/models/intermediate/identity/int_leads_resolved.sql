{#- Identity, part 2: every CRM lead -> its person: by the explicit contact link (through merges),
    else by normalized email among surviving contacts, else the lead is a person of its own
    (`lead:<lead_id>`). matched_by says which; email_contact_id is the earliest surviving contact
    with the lead's address (whether or not the link won), so a change of that contact rebuilds
    the lead. Incremental: the leads int_rebuilt_members names are rebuilt; lead_id is unique by
    the model's unique index. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['lead_id'], 'unique': True},
        {'columns': ['contact_id']},
        {'columns': ['email']},
        {'columns': ['email_contact_id']},
    ],
    pre_hook="{{ delete_rebuilt('lead_id', 'lead') }}",
    post_hook="{{ record_build() }}") }}
-- depends_on: {{ ref('int_rebuilt_members') }}

with leads as (
    select * from {{ ref('stg_crm__leads') }}
    where {{ only_rebuilt('lead_id', 'lead', by_key=true) }}
),

resolved_contacts as (
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
),

people_by_email as (
    -- the earliest surviving contact with the address (of the leads built): neither merged nor
    -- deleted, so its person is itself
    select distinct on (email) email, contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
    where not is_merged and person_id is not null and email is not null
        and email in (select email from leads)
    order by email asc, created_at asc, contact_id asc
),

final as (
    select
        leads.*,
        case
            when by_link.person_id is not null then by_link.person_id
            when by_email.person_id is not null then by_email.person_id
            -- a lead no contact claims is a person of its own (int_people); one linked to a
            -- deleted contact belongs to nobody
            when by_link.contact_id is null then {{ person_key("'lead:' || leads.lead_id") }}
        end as person_id,
        case
            when by_link.person_id is not null then 'contact_link'
            when by_email.person_id is not null then 'email'
            when by_link.contact_id is null then 'lead_only'
        end as matched_by,
        by_email.contact_id as email_contact_id
    from leads
    left join resolved_contacts as by_link on leads.contact_id = by_link.contact_id
    left join people_by_email as by_email on leads.email = by_email.email
)

select * from final
