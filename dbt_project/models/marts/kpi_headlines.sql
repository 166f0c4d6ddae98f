{#- The report's headline figures (grain: metric): each figure now (or over the whole history),
    and for those with a date the last `comparison_days` (policy file, report) against the same
    number of days before. A null value is not measurable: the exports hold no basis for it (no
    activities: no wasted time; no campaigns: no reach or spend). -#}
{%- set days = policy()['report']['comparison_days'] -%}

with orphans as (
    select person_id
    from {{ ref('orphaned_leads') }}
),

wasted as (
    select wasted_usd
    from {{ ref('kpi_wasted_sales_time') }}
),

activities as (
    select activity_id
    from {{ ref('int_activities_resolved') }}
),

campaigns as (
    select
        campaign_id,
        anonymous_touches
    from {{ ref('kpi_campaign_attribution') }}
),

spend as (
    select
        spend_date,
        amount_usd
    from {{ ref('stg_marketing__campaign_spend') }}
),

judged as (
    select
        opportunity_id,
        is_won,
        amount_usd
    from {{ ref('int_opportunities_judged') }}
),

opportunities as (
    select
        opportunity_id,
        closed_at
    from {{ ref('int_opportunities_resolved') }}
),

stages as (
    {{- person_stage_rows() }}
),

windows as (
    select
        {{ as_of() }} as as_of,
        {{ dbt.dateadd('day', -days, as_of()) }} as last_from,
        {{ dbt.dateadd('day', -2 * days, as_of()) }} as previous_from
),

-- people reach a stage as conversion counts them (a skipped stage is passed through)
first_entries as (
    select person_id, stage, reached_at
    from {{ ref('int_stage_first_reaches') }}
),

stage_figures as (
    select
        'reached_' || stages.stage_name as metric,
        stages.stage_order as metric_order,
        count(first_entries.person_id) as value,
        count(case when {{ comparison_period('first_entries.reached_at') }} = 'last' then 1 end)
            as last_period,
        count(case when {{ comparison_period('first_entries.reached_at') }} = 'previous' then 1 end)
            as previous_period
    from stages
    cross join windows
    left join first_entries on stages.stage_name = first_entries.stage
    group by stages.stage_name, stages.stage_order
),

won as (
    select
        judged.opportunity_id,
        judged.amount_usd,
        {{ comparison_period('opportunities.closed_at') }} as period
    from judged
    inner join opportunities on judged.opportunity_id = opportunities.opportunity_id
    cross join windows
    where judged.is_won = 1
),

spent as (
    -- a spend date is a whole day, counted at its end
    select
        spend.amount_usd,
        {{ comparison_period(dbt.dateadd('day', 1, 'spend.spend_date')) }} as period
    from spend
    cross join windows
),

won_figures as (
    select
        'won_deals' as metric,
        20 as metric_order,
        count(*) as value,
        count(case when period = 'last' then 1 end) as last_period,
        count(case when period = 'previous' then 1 end) as previous_period
    from won
    union all
    -- 0 when nothing was won (in the period); null, not measurable, when the won deals carry
    -- no amount (an export without deal values)
    select
        'won_revenue_usd',
        21,
        case when count(*) = 0 then 0 else sum(amount_usd) end,
        case
            when count(case when period = 'last' then 1 end) = 0 then 0
            else sum(case when period = 'last' then amount_usd end)
        end,
        case
            when count(case when period = 'previous' then 1 end) = 0 then 0
            else sum(case when period = 'previous' then amount_usd end)
        end
    from won
),

spend_figures as (
    select
        'spend_usd' as metric,
        30 as metric_order,
        sum(amount_usd) as value,
        sum(case when period = 'last' then amount_usd end) as last_period,
        sum(case when period = 'previous' then amount_usd end) as previous_period
    from spent
),

now_figures as (
    select
        'orphans' as metric,
        40 as metric_order,
        count(*) as value
    from orphans
    union all
    -- no activities exported: wasted time is not measurable (not $0)
    select
        'wasted_sales_usd',
        41,
        case when (select count(*) from activities) > 0
                then coalesce((select sum(wasted_usd) from wasted), 0)
        end
    union all
    select
        'campaigns',
        42,
        count(*)
    from campaigns
    union all
    select
        'anonymous_touches',
        43,
        case when count(*) > 0 then sum(anonymous_touches) end
    from campaigns
),

unioned as (
    select
        metric,
        metric_order,
        true as is_dated,
        cast(value as {{ dbt.type_numeric() }}) as value,
        cast(last_period as {{ dbt.type_numeric() }}) as last_period,
        cast(previous_period as {{ dbt.type_numeric() }}) as previous_period
    from stage_figures
    union all
    select
        metric,
        metric_order,
        true,
        value,
        last_period,
        previous_period
    from won_figures
    union all
    select
        metric,
        metric_order,
        true,
        value,
        last_period,
        previous_period
    from spend_figures
    union all
    select
        metric,
        metric_order,
        false,
        value,
        null,
        null
    from now_figures
),

final as (
    select
        metric,
        metric_order,
        is_dated,
        value,
        -- a dated figure with a basis counts 0 in a period without any
        case when is_dated and value is not null then coalesce(last_period, 0) end
            as last_period,
        case when is_dated and value is not null then coalesce(previous_period, 0) end
            as previous_period,
        case when previous_period > 0
                then cast(last_period / previous_period - 1 as {{ dbt.type_float() }})
        end as change_rate,
        {{ days }} as comparison_days,
        {{ as_of() }} as as_of
    from unioned
)

select * from final
