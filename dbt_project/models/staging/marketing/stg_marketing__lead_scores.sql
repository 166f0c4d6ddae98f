with source as (
    select * from {{ source('marketing', 'lead_scores') }}
),

renamed as (
    select
        score_id,
        contact_id,
        score,
        scored_at
    from source
)

select * from renamed
