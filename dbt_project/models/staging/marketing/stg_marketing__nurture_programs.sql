with source as (
    {{ live_rows('marketing', 'nurture_programs') }}
),

renamed as (
    select
        program_id,
        name as program_name,
        is_active
    from source
)

select * from renamed
