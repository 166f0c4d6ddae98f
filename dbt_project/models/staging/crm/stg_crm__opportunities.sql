with source as (
    {{ live_rows('crm', 'opportunities') }}
),

renamed as (
    select
        opportunity_id,
        account_id,
        lead_id,
        contact_id as crm_contact_id,
        owner_id,
        name as opportunity_name,
        lower(trim(opportunity_type)) as opportunity_type,
        lower(trim(stage)) as stage,
        amount as amount_usd,
        has_budget,
        created_at,
        closed_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
