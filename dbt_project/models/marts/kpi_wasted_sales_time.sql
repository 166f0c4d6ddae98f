{#- Principle 1: sales time spent on people who were not ripe - before their first MQL (or never
    an MQL) or on a lead later recycled or disqualified - priced at the rep's hourly value
    (annual revenue target / (working days x hours a day), policy defaults when the rep has no
    target). Grain: rep x source channel (the channel of the person's first known touch). -#}
with users as (
    select user_id, user_name, team, annual_revenue_target_usd
    from {{ ref('stg_crm__users') }}
),

-- the minutes judged unripe, per person (int_wasted_sales_minutes); the sales team's are priced
judged as (
    select owner_id, source_channel, wasted_minutes as duration_minutes
    from {{ ref('int_wasted_sales_minutes') }}
),

final as (
    select
        judged.owner_id || '|' || judged.source_channel as wasted_time_id,
        judged.owner_id as rep_id,
        users.user_name as rep_name,
        judged.source_channel,
        cast(sum(judged.duration_minutes) as {{ dbt.type_bigint() }}) as wasted_minutes,
        cast(sum(judged.duration_minutes) as {{ dbt.type_numeric() }}) / 60 as wasted_hours,
        {{ priced_hours_usd('cast(1 as ' ~ dbt.type_numeric() ~ ')', 'users.annual_revenue_target_usd') }}
            as hourly_value_usd,
        -- not rounded: BI sums it over channels or reps, and rounded parts drift by cents
        {{ priced_hours_usd(
            'cast(sum(judged.duration_minutes) as ' ~ dbt.type_numeric() ~ ') / 60',
            'users.annual_revenue_target_usd') }}
            as wasted_usd
    from judged
    inner join users on judged.owner_id = users.user_id
    where users.team = 'sales'
    group by judged.owner_id, users.user_name, judged.source_channel,
        users.annual_revenue_target_usd
)

select * from final
