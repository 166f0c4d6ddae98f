with source as (
    {{ live_rows('marketing', 'lifecycle_changes') }}
),

renamed as (
    select
        change_id,
        contact_id,
        lower(trim(lifecycle_stage)) as lifecycle_stage,
        -- the revgen stage the tool's word means (policy lifecycle_stages; unknown words: null)
        {{ translated('lifecycle_stage', 'lifecycle_stages', 'null') }} as stage,
        changed_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
