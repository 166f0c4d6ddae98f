{#- Conversion by where people came from, with or without a campaigns table: per source channel
    (a person's first touch, else their CRM lead's own source) and per lead origin (how their lead
    was created), the people, how many reached lead, opportunity and customer, and the days from
    being known to becoming a customer (mean, median, p90). The counts are hashed over everyone in
    one pass for both kinds; only the customers are sorted for the percentiles. -#}

{#- one row per channel and one per origin (grouping() = 1: the column is not the row's key) -#}
{%- set source_key -%}
        case when grouping(source_channel) = 0 then 'channel' else 'origin' end as source_kind,
        case when grouping(source_channel) = 0 then source_channel else lead_origin end
            as source_value,
{%- endset %}

with sources as (
    select person_id, source_channel, lead_origin
    from {{ ref('int_people_sources') }}
),

people as (
    select
        person_id,
        has_reached_lead,
        has_reached_opportunity,
        has_reached_customer,
        known_at,
        customer_at
    from {{ ref('int_people_staged') }}
),

by_person as not materialized (
    select
        coalesce(sources.source_channel, 'unknown') as source_channel,
        coalesce(sources.lead_origin, 'unknown') as lead_origin,
        case when people.has_reached_lead then 1 else 0 end as is_lead,
        case when people.has_reached_opportunity then 1 else 0 end as is_opportunity,
        case when people.has_reached_customer then 1 else 0 end as is_customer,
        case when people.customer_at >= people.known_at
            then {{ seconds_between('people.known_at', 'people.customer_at') }}
        end as seconds_to_customer
    from people
    left join sources on people.person_id = sources.person_id
),

counted as (
    select
        {{ source_key }}
        count(*) as people,
        cast(sum(is_lead) as {{ dbt.type_bigint() }}) as leads,
        cast(sum(is_opportunity) as {{ dbt.type_bigint() }}) as opportunities,
        cast(sum(is_customer) as {{ dbt.type_bigint() }}) as customers,
        cast(sum(is_customer * is_lead) as {{ dbt.type_bigint() }}) as lead_customers,
        {{ exact_mean('seconds_to_customer', 86400) }} as days_to_customer_mean
    from by_person
    group by grouping sets ((source_channel), (lead_origin))
),

durations as (
    select
        {{ source_key }}
        {{ percentiles('seconds_to_customer', [0.5, 0.9], 86400) }} as days
    from by_person
    where seconds_to_customer is not null
    group by grouping sets ((source_channel), (lead_origin))
),

final as (
    select
        counted.source_kind || '|' || counted.source_value as conversion_by_source_id,
        counted.source_kind,
        counted.source_value,
        counted.people,
        counted.leads,
        counted.opportunities,
        counted.customers,
        cast(counted.customers as {{ dbt.type_float() }}) / counted.people as customer_rate,
        case when counted.leads > 0
            then cast(counted.lead_customers as {{ dbt.type_float() }}) / counted.leads
        end as lead_to_customer_rate,
        counted.days_to_customer_mean,
        durations.days[1] as days_to_customer_median,
        durations.days[2] as days_to_customer_p90
    from counted
    left join durations
        on counted.source_kind = durations.source_kind
        and counted.source_value = durations.source_value
)

select * from final
