with source as (
    {{ live_rows('crm', 'users') }}
),

renamed as (
    select
        user_id,
        name as user_name,
        lower(trim(email)) as email,
        lower(trim(role)) as role,
        lower(trim(team)) as team,
        is_active,
        deactivated_at,
        annual_revenue_target as annual_revenue_target_usd,
        nullif(trim(office), '') as office,
        nullif(trim(manager), '') as manager
    from source
)

select * from renamed
