with source as (
    select * from {{ source('marketing', 'lifecycle_changes') }}
),

renamed as (
    select
        change_id,
        contact_id,
        lower(trim(lifecycle_stage)) as lifecycle_stage,
        changed_at
    from source
)

select * from renamed
