{#- Principle 3, "the journey is not linear": one row per move of a person between stages. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    indexes=[{'columns': ['person_id']}, {'columns': ['transition_id'], 'unique': True}],
    pre_hook="{{ delete_rebuilt_people() }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}


with events as (
    select person_id, event_number, entry_number, stage, stage_order, entered_at, reason
    from {{ ref('int_stage_events_unioned') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

ordered as (
    select
        events.*,
        lag(stage) over (partition by person_id order by event_number) as from_stage,
        lag(stage_order) over (partition by person_id order by event_number) as from_stage_order
    from events
),

final as (
    select
        person_id || '#' || cast(event_number as {{ dbt.type_string() }}) as transition_id,
        person_id,
        event_number as transition_number,
        from_stage,
        stage as to_stage,
        case
            when stage_order < from_stage_order then 'backward'
            when entry_number > 1 then 're_entry'
            else 'forward'
        end as direction,
        reason,
        entered_at as transitioned_at,
        {{ stage_owner_team('stage') }} as owner_team,
        case when entry_number = 1 then true else false end as is_first_entry
    from ordered
    where from_stage is not null
)

select * from final
