{#- Every opportunity with the lead it belongs to: its own lead link, else the lead its CRM
    contact was converted from (exports that tie deals to contacts, not leads). _loaded_at is the
    later of the two records' loads, so a contact that arrives later rebuilds the deal's person. -#}
{{ config(indexes=[{'columns': ['opportunity_id'], 'unique': True}]) }}

with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

crm_contacts as (
    select crm_contact_id, lead_id, _loaded_at
    from {{ ref('stg_crm__contacts') }}
    where lead_id is not null
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        coalesce(opportunities.lead_id, crm_contacts.lead_id) as lead_id,
        opportunities.crm_contact_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        opportunities.stage,
        opportunities.amount_usd,
        opportunities.has_budget,
        opportunities.created_at,
        opportunities.closed_at,
        case
            when crm_contacts._loaded_at > opportunities._loaded_at then crm_contacts._loaded_at
            else opportunities._loaded_at
        end as _loaded_at
    from opportunities
    left join crm_contacts
        on opportunities.lead_id is null
        and opportunities.crm_contact_id = crm_contacts.crm_contact_id
)

select * from final
