{#- Totals the stage tables keep for the weekly and cohort marts (macros/totals.sql): per stage and
    week (Monday-based, UTC: dbt's sessions run in UTC), the people who first reached the stage
    (int_stage_first_reaches) and the entries after a person's first (int_stage_events_unioned);
    per journey and month of the first entry, the people who entered, those who reached the next
    stage and the seconds they took, and the re-entries (int_stage_journeys: the cohorts, and the
    counts and mean of kpi_stage_conversion). -#}
{% macro first_entries_by_week() -%}
    {{ return(per_stage_and_week('reached_at', {'people_entered': '1'})) }}
{%- endmacro %}

{% macro re_entries_by_week() -%}
    {{ return(per_stage_and_week('entered_at', {
        're_entries': 'case when entry_number > 1 then 1 else 0 end'})) }}
{%- endmacro %}

{% macro journey_cohorts() -%}
    {{ return({'group_by': {
        'from_stage_order': 'from_stage_order',
        'from_stage': 'from_stage',
        'to_stage': 'to_stage',
        'cohort_month': 'cast(' ~ dbt.date_trunc('month', 'first_entered_at') ~ ' as date)'},
        'sums': {
            'people_entered': '1',
            'people_converted': 'case when reached_next_at is not null then 1 else 0 end',
            'seconds_to_next': seconds_between('first_entered_at', 'reached_next_at'),
            're_entries': 're_entries'}}) }}
{%- endmacro %}

{#- Sums per stage and the week (its Monday) of the moment `at`. -#}
{% macro per_stage_and_week(at, sums) -%}
    {{ return({'group_by': {
        'stage': 'stage',
        'week_start': 'cast(' ~ dbt.date_trunc('week', at) ~ ' as date)'},
        'sums': sums}) }}
{%- endmacro %}
