with source as (
    {{ live_rows('marketing', 'campaigns') }}
),

renamed as (
    select
        campaign_id,
        name as campaign_name,
        lower(trim(channel)) as channel,
        started_on,
        ended_on
    from source
)

select * from renamed
