{#- Customer expansion per cohort: accounts by the month of their first new-business order, how
    many churned (subscription ended), and the revenue they brought first, by up-sell and by
    cross-sell. -#}

with orders as (
    select account_id, order_type, amount_usd, started_on, ended_on
    from {{ ref('stg_crm__orders') }}
),

first_purchases as (
    select
        account_id,
        min(started_on) as first_purchase_on,
        max(case when ended_on is not null then 1 else 0 end) as has_churned
    from orders
    where order_type = 'new_business'
    group by account_id
),

revenue as (
    select
        account_id,
        sum(case when order_type = 'new_business' then amount_usd else 0 end) as new_business_usd,
        sum(case when order_type = 'upsell' then amount_usd else 0 end) as upsell_usd,
        sum(case when order_type = 'cross_sell' then amount_usd else 0 end) as cross_sell_usd
    from orders
    group by account_id
),

final as (
    select
        cast({{ dbt.date_trunc('month', 'first_purchases.first_purchase_on') }} as date)
            as cohort_month,
        count(*) as accounts,
        cast(sum(first_purchases.has_churned) as {{ dbt.type_bigint() }}) as churned_accounts,
        1 - cast(sum(first_purchases.has_churned) as {{ dbt.type_float() }}) / count(*)
            as retention_rate,
        sum(revenue.new_business_usd) as new_business_usd,
        sum(revenue.upsell_usd) as upsell_usd,
        sum(revenue.cross_sell_usd) as cross_sell_usd
    from first_purchases
    inner join revenue on first_purchases.account_id = revenue.account_id
    group by cast({{ dbt.date_trunc('month', 'first_purchases.first_purchase_on') }} as date)
)

select * from final
