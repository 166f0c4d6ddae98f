{#- Conversion by where people came from, with or without a campaigns table: per source channel
    (a person's first touch, else their CRM lead's own source) and per lead origin (how their lead
    was created), the people, how many reached lead, opportunity and customer, and the days from
    being known to becoming a customer (mean, median, p90). -#}

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

by_person as (
    select
        people.person_id,
        coalesce(sources.source_channel, 'unknown') as source_channel,
        coalesce(sources.lead_origin, 'unknown') as lead_origin,
        case when people.has_reached_lead then 1 else 0 end as is_lead,
        case when people.has_reached_opportunity then 1 else 0 end as is_opportunity,
        case when people.has_reached_customer then 1 else 0 end as is_customer,
        case when people.customer_at >= people.known_at
            then cast({{ seconds_between('people.known_at', 'people.customer_at') }}
                as {{ dbt.type_float() }}) / 86400
        end as days_to_customer
    from people
    left join sources on people.person_id = sources.person_id
),

keyed as (
    select 'channel' as source_kind, source_channel as source_value, by_person.*
    from by_person
    union all
    select 'origin', lead_origin, by_person.*
    from by_person
),

final as (
    select
        source_kind || '|' || source_value as conversion_by_source_id,
        source_kind,
        source_value,
        count(*) as people,
        cast(sum(is_lead) as {{ dbt.type_bigint() }}) as leads,
        cast(sum(is_opportunity) as {{ dbt.type_bigint() }}) as opportunities,
        cast(sum(is_customer) as {{ dbt.type_bigint() }}) as customers,
        cast(sum(is_customer) as {{ dbt.type_float() }}) / count(*) as customer_rate,
        case when sum(is_lead) > 0
            then cast(sum(is_customer * is_lead) as {{ dbt.type_float() }}) / sum(is_lead)
        end as lead_to_customer_rate,
        {{ exact_mean("days_to_customer") }} as days_to_customer_mean,
        percentile_cont(0.5) within group (order by days_to_customer) as days_to_customer_median,
        percentile_cont(0.9) within group (order by days_to_customer) as days_to_customer_p90
    from keyed
    group by source_kind, source_value
)

select * from final
