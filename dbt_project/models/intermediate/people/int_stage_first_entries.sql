{#- Per person and stage: the first entry into it and how many entries (first + re-entries). -#}

with events as (
    select person_id, stage, entered_at
    from {{ ref('int_stage_events_unioned') }}
),

final as (
    select
        person_id || '|' || stage as first_entry_id,
        person_id,
        stage,
        min(entered_at) as first_entered_at,
        count(*) as entries
    from events
    group by person_id, stage
)

select * from final
