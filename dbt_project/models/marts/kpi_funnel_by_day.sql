{#- People in each stage at the end of each day (UTC), from the stage history: each person counts
    in the stage of their last entry on or before that day. A running sum of the people's daily
    stage changes (int_stage_daily_changes, built incrementally). -#}

with deltas as (
    select entered_on, stage, delta
    from {{ ref('int_stage_daily_changes') }}
),

daily as (
    select entered_on, stage, sum(delta) as delta
    from deltas
    group by entered_on, stage
),

digits as (
    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9
),

numbers as (
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
),

bounds as (
    select
        min(entered_on) as first_day,
        cast({{ dbt.dateadd('day', -1, as_of()) }} as date) as last_day
    -- from the daily sums, not the people's changes: one scan of those (read twice, a CTE is
    -- materialized: a copy of every row)
    from daily
),

days as (
    select cast({{ dbt.dateadd('day', 'numbers.number', 'bounds.first_day') }} as date) as day
    from numbers
    cross join bounds
    where {{ dbt.dateadd('day', 'numbers.number', 'bounds.first_day') }} <= bounds.last_day
),

stages as (
    {{- person_stage_rows() }}
),

grid as (
    select days.day, stages.stage_name, stages.stage_order, coalesce(daily.delta, 0) as delta
    from days
    cross join stages
    left join daily on days.day = daily.entered_on and stages.stage_name = daily.stage
),

final as (
    select
        stage_name || '@' || cast(day as {{ dbt.type_string() }}) as funnel_day_id,
        day,
        stage_order,
        stage_name,
        cast(sum(delta) over (
            partition by stage_name order by day rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as people
    from grid
)

select * from final
