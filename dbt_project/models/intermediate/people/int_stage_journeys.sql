{#- Per person and stage (from the third on): the first entry into it, the re-entries, and the
    first entry into the next stage when it came after - what conversion, velocity and cohorts
    aggregate. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id']}], pre_hook="{{ delete_rebuilt_people() }}",
    post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with events as (
    select person_id, stage, entered_at
    from {{ ref('int_stage_events_unioned') }}
    where {{ only_rebuilt_people() }}
),

first_entries as (
    select person_id, stage, min(entered_at) as first_entered_at, count(*) as entries
    from events
    group by person_id, stage
),

pairs as (
    {{ stage_pairs() }}
),

final as (
    select
        pairs.from_stage || '|' || entered.person_id as journey_id,
        pairs.from_stage_order,
        pairs.from_stage,
        pairs.to_stage,
        entered.person_id,
        entered.first_entered_at,
        entered.entries - 1 as re_entries,
        case
            when reached.first_entered_at >= entered.first_entered_at
                then reached.first_entered_at
        end as reached_next_at
    from pairs
    inner join first_entries as entered on entered.stage = pairs.from_stage
    left join first_entries as reached
        on reached.person_id = entered.person_id and reached.stage = pairs.to_stage
)

select * from final
