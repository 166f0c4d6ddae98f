{#- Wasted sales time rolled up (grain: breakdown x breakdown_value): per rep and per source
    channel, summed over the other, as the report and BI show them. -#}

with wasted as (
    select
        rep_id,
        rep_name,
        source_channel,
        wasted_minutes,
        wasted_usd
    from {{ ref('kpi_wasted_sales_time') }}
),

by_rep as (
    select
        'rep' as breakdown,
        rep_id as breakdown_value,
        coalesce(rep_name, rep_id) as label,
        sum(wasted_minutes) as wasted_minutes,
        sum(wasted_usd) as wasted_usd
    from wasted
    group by rep_id, coalesce(rep_name, rep_id)
),

by_source as (
    select
        'source_channel' as breakdown,
        source_channel as breakdown_value,
        source_channel as label,
        sum(wasted_minutes) as wasted_minutes,
        sum(wasted_usd) as wasted_usd
    from wasted
    group by source_channel
),

unioned as (
    select * from by_rep
    union all
    select * from by_source
),

final as (
    select
        breakdown || '|' || breakdown_value as rollup_id,
        breakdown,
        breakdown_value,
        label,
        cast(wasted_minutes as {{ dbt.type_numeric() }}) / 60 as wasted_hours,
        wasted_usd
    from unioned
)

select * from final
