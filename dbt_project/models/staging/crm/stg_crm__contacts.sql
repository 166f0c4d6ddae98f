with source as (
    {{ live_rows('crm', 'contacts') }}
),

renamed as (
    select
        contact_id as crm_contact_id,
        account_id,
        lead_id,
        lower(trim(email)) as email,
        first_name,
        last_name,
        created_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
