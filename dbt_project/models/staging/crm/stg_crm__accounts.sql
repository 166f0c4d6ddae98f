with source as (
    {{ live_rows('crm', 'accounts') }}
),

renamed as (
    select
        account_id,
        owner_id,
        name as account_name,
        lower(trim(industry)) as industry,
        upper(trim(country)) as country,
        company_size,
        created_at
    from source
)

select * from renamed
