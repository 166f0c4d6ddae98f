{#- Conversion by where people came from, with or without a campaigns table: per source channel
    (a person's first touch, else their CRM lead's own source) and per lead origin (how their lead
    was created), the people, how many reached lead, opportunity and customer, and the days from
    being known to becoming a customer (mean, median, p90). The counts and the mean are
    int_people_staged's kept totals per channel and origin (macros/stages.sql people_by_source);
    only the customers are read and sorted for the percentiles. -#}

{#- one row per channel and one per origin (grouping() = 1: the column is not the row's key) -#}
{%- set source_key -%}
        case when grouping(source_channel) = 0 then 'channel' else 'origin' end as source_kind,
        case when grouping(source_channel) = 0 then source_channel else lead_origin end
            as source_value,
{%- endset %}

-- the sums int_people_staged keeps per channel and origin as its rows change; a pair whose
-- people all left keeps a row of zeros
with counted as (
    select
        {{ source_key }}
        cast(sum(people) as {{ dbt.type_bigint() }}) as people,
        cast(sum(leads) as {{ dbt.type_bigint() }}) as leads,
        cast(sum(opportunities) as {{ dbt.type_bigint() }}) as opportunities,
        cast(sum(customers) as {{ dbt.type_bigint() }}) as customers,
        cast(sum(lead_customers) as {{ dbt.type_bigint() }}) as lead_customers,
        {{ exact_mean_of('sum(seconds_to_customer)', 'sum(timed_customers)', 86400) }}
            as days_to_customer_mean
    from {{ totals_of(ref('int_people_staged'), people_by_source()) }}
    group by grouping sets ((source_channel), (lead_origin))
    having sum(people) > 0
),

customers as (
    -- the customers, by the index on customer_at, never everyone; those timed
    select source_channel, lead_origin, {{ seconds_to_customer() }} as seconds_to_customer
    from {{ ref('int_people_staged') }}
    where customer_at is not null and {{ seconds_to_customer() }} is not null
),

durations as (
    select
        {{ source_key }}
        {{ percentiles('seconds_to_customer', [0.5, 0.9], 86400) }} as days
    from customers
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
