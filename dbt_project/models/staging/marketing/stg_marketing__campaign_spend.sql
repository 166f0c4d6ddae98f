with source as (
    {{ live_rows('marketing', 'campaign_spend') }}
),

renamed as (
    select
        campaign_id || '|' || cast(spend_date as {{ dbt.type_string() }}) as spend_id,
        campaign_id,
        spend_date,
        amount as amount_usd,
        upper(currency) as currency
    from source
)

select * from renamed
