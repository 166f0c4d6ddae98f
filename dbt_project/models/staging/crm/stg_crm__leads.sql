with source as (
    select * from {{ source('crm', 'leads') }}
),

renamed as (
    select
        lead_id,
        contact_id,
        owner_id,
        lower(trim(email)) as email,
        lower(trim(status)) as status,
        lower(trim(lead_source)) as lead_source,
        created_at,
        updated_at
    from source
)

select * from renamed
