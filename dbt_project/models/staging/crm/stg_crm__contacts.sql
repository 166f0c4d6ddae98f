with source as (
    select * from {{ source('crm', 'contacts') }}
),

renamed as (
    select
        contact_id as crm_contact_id,
        account_id,
        lead_id,
        lower(trim(email)) as email,
        first_name,
        last_name,
        created_at
    from source
)

select * from renamed
