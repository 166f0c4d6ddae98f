{#- People entering each stage per week (grain: stage x week, Monday-based, UTC): first entries
    and re-entries apart, every week from the first day of the history to the as-of time. -#}

with funnel_days as (
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

-- first reaches as conversion counts them (a skipped stage is passed through), and the entries
-- after a person's first into the stage (entry_number, numbered per person upstream): the sums
-- per stage and week the stage tables keep as their rows change (macros/stages.sql)
first_weekly as (
    select stage, week_start, people_entered as first_entries
    from {{ totals_of(ref('int_stage_first_reaches'), first_entries_by_week()) }}
),

re_entries_weekly as (
    select stage, week_start, re_entries
    from {{ totals_of(ref('int_stage_events_unioned'), re_entries_by_week()) }}
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
