with source as (
    {{ live_rows('marketing', 'lead_scores') }}
),

renamed as (
    select
        score_id,
        contact_id,
        score,
        scored_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
