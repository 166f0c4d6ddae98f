{#- People entering each stage per week (grain: stage x week, Monday-based, UTC): first entries
    and re-entries apart, every week from the first day of the history to the as-of time. -#}

with events as (
    select
        stage,
        entered_at,
        entry_number
    from {{ ref('int_stage_events_unioned') }}
),

funnel_days as (
    select day
    from {{ ref('kpi_funnel_by_day') }}
),

stages as (
    {{- person_stage_rows() }}
),

weeks as (
    select distinct cast({{ dbt.date_trunc('week', 'day') }} as date) as week_start
    from funnel_days
),

-- first reaches as conversion counts them (a skipped stage is passed through)
first_reaches as (
    select person_id, stage, reached_at
    from {{ ref('int_stage_first_reaches') }}
),

first_weekly as (
    select
        stage,
        cast({{ dbt.date_trunc('week', 'reached_at') }} as date) as week_start,
        count(*) as first_entries
    from first_reaches
    group by stage, cast({{ dbt.date_trunc('week', 'reached_at') }} as date)
),

-- an entry after the person's first into the stage (entry_number, numbered per person upstream)
re_entries_weekly as (
    select
        stage,
        cast({{ dbt.date_trunc('week', 'entered_at') }} as date) as week_start,
        count(*) as re_entries
    from events
    where entry_number > 1
    group by stage, cast({{ dbt.date_trunc('week', 'entered_at') }} as date)
),

final as (
    select
        stages.stage_name || '@' || cast(weeks.week_start as {{ dbt.type_string() }})
            as stage_week_id,
        weeks.week_start,
        stages.stage_order,
        stages.stage_name,
        cast(coalesce(first_weekly.first_entries, 0) as {{ dbt.type_bigint() }})
            as people_entered,
        cast(coalesce(re_entries_weekly.re_entries, 0) as {{ dbt.type_bigint() }}) as re_entries
    from weeks
    cross join stages
    left join first_weekly
        on stages.stage_name = first_weekly.stage and weeks.week_start = first_weekly.week_start
    left join re_entries_weekly
        on stages.stage_name = re_entries_weekly.stage
            and weeks.week_start = re_entries_weekly.week_start
)

select * from final
