with source as (
    {{ live_rows('crm', 'activities') }}
),

renamed as (
    select
        activity_id,
        owner_id,
        lead_id,
        opportunity_id,
        contact_id as crm_contact_id,
        lower(trim(activity_type)) as activity_type,
        started_at,
        duration_minutes,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
