{#- People entering each stage per week (grain: stage x week, Monday-based, UTC): first entries
    and re-entries apart, every week from the first day of the history to the as-of time. -#}

with events as (
    select person_id, stage, entered_at
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

numbered as (
    select
        stage,
        cast({{ dbt.date_trunc('week', 'entered_at') }} as date) as week_start,
        row_number() over (partition by person_id, stage order by entered_at) as entry_number
    from events
),

weekly as (
    select
        stage,
        week_start,
        sum(case when entry_number = 1 then 1 else 0 end) as first_entries,
        sum(case when entry_number > 1 then 1 else 0 end) as re_entries
    from numbered
    group by stage, week_start
),

final as (
    select
        stages.stage_name || '@' || cast(weeks.week_start as {{ dbt.type_string() }})
            as stage_week_id,
        weeks.week_start,
        stages.stage_order,
        stages.stage_name,
        cast(coalesce(weekly.first_entries, 0) as {{ dbt.type_bigint() }}) as people_entered,
        cast(coalesce(weekly.re_entries, 0) as {{ dbt.type_bigint() }}) as re_entries
    from weeks
    cross join stages
    left join weekly on weekly.stage = stages.stage_name and weekly.week_start = weeks.week_start
)

select * from final
