{#- Identity, part 2: every CRM lead -> its person: by the explicit contact link (through merges),
    else by normalized email among surviving contacts, else the lead is a person of its own
    (`lead:<lead_id>`). matched_by says which. -#}

with leads as (
    select * from {{ ref('stg_crm__leads') }}
),

contacts as (
    select contact_id, email, merged_into_id, is_deleted, created_at
    from {{ ref('stg_marketing__contacts') }}
),

resolved_contacts as (
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
),

people_by_email as (
    -- the earliest surviving contact with the address
    select email, person_id
    from (
        select
            email,
            {{ person_key('contact_id') }} as person_id,
            row_number() over (partition by email order by created_at, contact_id) as position
        from contacts
        where merged_into_id is null and not is_deleted and email is not null
    ) as ranked
    where position = 1
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
        end as matched_by
    from leads
    left join resolved_contacts as by_link on leads.contact_id = by_link.contact_id
    left join people_by_email as by_email on leads.email = by_email.email
)

select * from final
