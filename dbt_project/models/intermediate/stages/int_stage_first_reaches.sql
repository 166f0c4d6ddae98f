{#- When each person first reached each per-person stage, as conversion counts it (macro
    stage_first_reaches: entering a later stage passes through a skipped one). What the weekly
    entries and the headlines count, kept per person: the people int_changed_people names are
    rebuilt. -#}
{{ config(materialized='incremental', incremental_strategy='append_totals',
    meta={'totals': first_entries_by_week()},
    indexes=[{'columns': ['person_id']}],
    pre_hook="{{ delete_rebuilt_people() }}", post_hook=["{{ recount_totals() }}", "{{ record_build() }}"]) }}
{{ changed_people_depends_on() }}

with journeys as (
    select person_id, from_stage, to_stage, first_entered_at, reached_next_at
    from {{ ref('int_stage_journeys') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

first_reaches as (
    {{- stage_first_reaches('journeys') | indent(4) }}
)

select * from first_reaches
