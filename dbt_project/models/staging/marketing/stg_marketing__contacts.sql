with source as (
    {{ live_rows('marketing', 'contacts') }}
),

renamed as (
    select
        -- ids
        contact_id,
        merged_into_id,
        nurture_program_id,
        -- person
        lower(trim(email)) as email,
        first_name,
        last_name,
        job_title,
        -- company (the ICP attributes)
        company as company_name,
        lower(trim(industry)) as industry,
        upper(trim(country)) as country,
        company_size,
        coalesce(is_deleted, false) as is_deleted,
        -- timestamps
        created_at,
        updated_at,
        _loaded_at  -- when revgen loaded the row: incremental models start from it
    from source
)

select * from renamed
