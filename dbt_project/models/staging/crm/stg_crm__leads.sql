with source as (
    {{ live_rows('crm', 'leads') }}
),

renamed as (
    select
        lead_id,
        contact_id,
        owner_id,
        lower(trim(email)) as email,
        -- Salesforce's standard statuses and the policy's own words -> contract statuses
        {{ translated('status', 'lead_statuses') }} as status,
        lower(trim(lead_source)) as lead_source,
        nullif(lower(trim(channel)), '') as channel,
        nullif(lower(trim(origin)), '') as origin,
        created_at,
        updated_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
