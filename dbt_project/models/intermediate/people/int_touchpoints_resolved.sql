{#- Identity, part 3: every touchpoint with the person it belongs to (null: anonymous, or a
    deleted record). -#}

with touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

resolved_contacts as (
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
),

final as (
    select
        touchpoints.*,
        resolved_contacts.person_id
    from touchpoints
    left join resolved_contacts on resolved_contacts.contact_id = touchpoints.contact_id
)

select * from final
