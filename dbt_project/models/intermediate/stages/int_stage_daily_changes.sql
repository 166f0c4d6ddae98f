{#- Per person, the days their stage at the end of the day changed: +1 for the stage entered, -1
    for the stage left. kpi_funnel_by_day sums these, so the funnel costs changes, not people x
    days, and only the people an incremental build rebuilds are recomputed. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id']}], pre_hook="{{ delete_rebuilt_people() }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with events as (
    select person_id, stage, event_number, cast(entered_at as date) as entered_on
    from {{ ref('int_stage_events_unioned') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

last_of_day as (
    select person_id, entered_on, stage
    from (
        select
            events.*,
            row_number() over (
                partition by person_id, entered_on order by event_number desc
            ) as recency
        from events
    ) as ranked
    where recency = 1
),

changes as (
    select
        person_id,
        entered_on,
        stage,
        lag(stage) over (partition by person_id order by entered_on) as previous_stage
    from last_of_day
),

final as (
    select person_id, entered_on, stage, 1 as delta
    from changes
    where previous_stage is null or previous_stage <> stage
    union all
    select person_id, entered_on, previous_stage, -1
    from changes
    where previous_stage is not null and previous_stage <> stage
)

select * from final
