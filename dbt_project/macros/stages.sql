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

{#- Per source channel and lead origin (int_people_staged: kpi_conversion_by_source), the people,
    how many reached lead, opportunity and customer (and both lead and customer), and of the
    customers timed (seconds_to_customer), how many and their seconds. -#}
{% macro people_by_source() -%}
    {{ return({'group_by': {'source_channel': 'source_channel', 'lead_origin': 'lead_origin'},
        'sums': {
            'people': '1',
            'leads': 'case when has_reached_lead then 1 else 0 end',
            'opportunities': 'case when has_reached_opportunity then 1 else 0 end',
            'customers': 'case when has_reached_customer then 1 else 0 end',
            'lead_customers': 'case when has_reached_lead and has_reached_customer then 1 else 0 end',
            'timed_customers': 'case when ' ~ seconds_to_customer() ~ ' is not null then 1 else 0 end',
            'seconds_to_customer': seconds_to_customer()}}) }}
{%- endmacro %}

{#- A person's whole seconds from being known to becoming a customer (int_people_staged's
    known_at, customer_at); null when they are no customer, or became one before being known. -#}
{% macro seconds_to_customer() -%}
    case when customer_at >= known_at then {{ seconds_between('known_at', 'customer_at') }} end
{%- endmacro %}

{#- Sums per stage and the week (its Monday) of the moment `at`. -#}
{% macro per_stage_and_week(at, sums) -%}
    {{ return({'group_by': {
        'stage': 'stage',
        'week_start': 'cast(' ~ dbt.date_trunc('week', at) ~ ' as date)'},
        'sums': sums}) }}
{%- endmacro %}
