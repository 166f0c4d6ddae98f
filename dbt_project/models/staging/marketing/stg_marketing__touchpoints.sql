with source as (
    {{ live_rows('marketing', 'touchpoints') }}
),

renamed as (
    select
        touchpoint_id,
        contact_id,
        visitor_id,
        campaign_id,
        lower(trim(channel)) as channel,
        lower(trim(touch_type)) as touch_type,
        touched_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
