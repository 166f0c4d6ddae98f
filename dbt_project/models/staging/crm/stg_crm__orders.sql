with source as (
    {{ live_rows('crm', 'orders') }}
),

renamed as (
    select
        order_id,
        account_id,
        opportunity_id,
        lower(trim(order_type)) as order_type,
        product,
        amount as amount_usd,
        upper(currency) as currency,
        started_on,
        ended_on
    from source
)

select * from renamed
