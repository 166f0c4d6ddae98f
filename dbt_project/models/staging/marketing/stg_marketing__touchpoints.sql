with source as (
    select * from {{ source('marketing', 'touchpoints') }}
),

renamed as (
    select
        touchpoint_id,
        contact_id,
        visitor_id,
        campaign_id,
        lower(trim(channel)) as channel,
        lower(trim(touch_type)) as touch_type,
        touched_at
    from source
)

select * from renamed
