{#- Per person and stage (from the third on): when they first reached it (entered it or a later
    stage), the re-entries, and when they first reached the next stage if it came after - what
    conversion, velocity and cohorts aggregate. -#}
{{ config(materialized='incremental', incremental_strategy='append_totals',
    meta={'totals': journey_cohorts()},
    indexes=[{'columns': ['person_id']}, {'columns': ['journey_id'], 'unique': True}],
    pre_hook="{{ delete_rebuilt_people() }}", post_hook=["{{ recount_totals() }}", "{{ record_build() }}"]) }}
{{ changed_people_depends_on() }}

with events as (
    select person_id, stage, stage_order, entered_at
    from {{ ref('int_stage_events_unioned') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

pairs as (
    {{ stage_pairs() }}
),

stages as (
    select from_stage_order as stage_order, from_stage as stage from pairs
    union
    select from_stage_order + 1, to_stage from pairs
),

-- a person reached a stage when they first entered it or any later stage: a journey that skips
-- a stage (a CRM lead that was never a prospect in any export) still passed through it
first_entries as (
    select
        events.person_id,
        stages.stage,
        min(events.entered_at) as first_entered_at,
        greatest(count(case when events.stage = stages.stage then 1 end), 1) as entries
    from events
    inner join stages on events.stage_order >= stages.stage_order
    group by events.person_id, stages.stage
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
    inner join first_entries as entered on pairs.from_stage = entered.stage
    left join first_entries as reached
        on entered.person_id = reached.person_id and pairs.to_stage = reached.stage
)

select * from final
