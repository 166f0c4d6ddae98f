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
        updated_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
