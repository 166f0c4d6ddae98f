{#- Principle 1: sales time spent on people who were not ripe - before their first MQL (or never
    an MQL) or on a lead later recycled or disqualified - priced at the rep's hourly value
    (annual revenue target / (working days x hours a day), policy defaults when the rep has no
    target). Grain: rep x source channel (the channel of the person's first known touch). -#}
with activities as (
    select activity_id, owner_id, lead_id, person_lead_id, started_at, duration_minutes
    from {{ ref('int_activities_resolved') }}
),

users as (
    select user_id, user_name, team, annual_revenue_target_usd
    from {{ ref('stg_crm__users') }}
),

leads as (
    select lead_id, person_id as contact_id
    from {{ ref('int_leads_resolved') }}
),

last_lead_closings as (
    -- a sales touch on a lead that is later recycled or disqualified was spent too early
    select lead_id, max(changed_at) as last_closed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status' and new_value in ('recycled', 'disqualified')
    group by lead_id
),

qualified as (
    select contact_id, mql_at
    from {{ ref('int_contacts_qualified') }}
),

source_channels as (
    select person_id as contact_id, source_channel as channel
    from {{ ref('int_people_sources') }}
),

sales_activities as (
    select activities.*
    from activities
    inner join users on activities.owner_id = users.user_id and users.team = 'sales'
),

judged as (
    select
        sales_activities.activity_id,
        sales_activities.owner_id,
        coalesce(source_channels.channel, 'unknown') as source_channel,
        coalesce(sales_activities.duration_minutes, 0) as duration_minutes,
        case
            when qualified.mql_at is null or sales_activities.started_at < qualified.mql_at
                then true
            when last_lead_closings.last_closed_at >= sales_activities.started_at then true
            else false
        end as is_wasted
    from sales_activities
    left join leads on sales_activities.person_lead_id = leads.lead_id
    left join qualified on leads.contact_id = qualified.contact_id
    left join source_channels on leads.contact_id = source_channels.contact_id
    left join last_lead_closings on sales_activities.lead_id = last_lead_closings.lead_id
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
    where judged.is_wasted
    group by judged.owner_id, users.user_name, judged.source_channel,
        users.annual_revenue_target_usd
)

select * from final
