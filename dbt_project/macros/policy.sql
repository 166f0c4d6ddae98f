{#- The policy file (policy.yml), handed over by revgen as the `policy` var. -#}
{% macro policy() -%}
    {#- unit tests check revgen's logic against the shipped policy: a company's own policy file
        (other evidence, owners, limits) never makes them fail -#}
    {%- set name = 'base_policy' if model is defined and model.resource_type == 'unit_test' else 'policy' -%}
    {%- set value = var(name, none) -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error("The policy var is missing: run dbt through `revgen dbt ...` (it passes dbt_project/policy.yml), not bare `dbt`.") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The moment the run describes: the DAG run's data-interval end; never the wall clock when given. -#}
{#- revgen hands it to each dbt connection as the setting revgen.as_of (libpq's PGOPTIONS), not as a
    var: a var that changes every run would cost dbt a full parse every run. A unit test sets the
    var; without either (dbt run by hand) it is now. -#}
{% macro as_of() -%}
    {%- if var('as_of') -%}cast({{ sql_string(var("as_of")) }} as timestamp with time zone)
    {%- else -%}coalesce(cast(nullif(current_setting('revgen.as_of', true), '') as timestamp with time zone), {{ dbt.current_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{#- A SQL list literal: ('a', 'b'). -#}
{% macro sql_list(values) -%}
    ({%- for value in values -%}{{ sql_string(value) }}{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#- Position of a stage in the funnel (1 = awareness), from the policy's stage list. -#}
{% macro stage_order(column) -%}
    case {{ column }}
    {%- for stage in policy()['stages'] %} when {{ sql_string(stage.name) }} then {{ loop.index }}{% endfor %}
    end
{%- endmacro %}

{#- The team that should own a person in a stage, from the policy. -#}
{% macro stage_owner_team(column) -%}
    case {{ column }}
    {%- for stage in policy()['stages'] %} when {{ sql_string(stage.name) }} then {{ sql_string(stage.owner_team) }}{% endfor %}
    end
{%- endmacro %}

{#- A stage's SLA in whole hours, or none. -#}
{% macro stage_sla_hours(name) -%}
    {%- for stage in policy()['stages'] if stage.name == name and stage.sla_hours is not none -%}
        {{ return(stage.sla_hours | int) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- The per-person stages (from the third on: awareness and preference are measured per campaign),
    as consecutive pairs: select from_stage_order, from_stage, to_stage. -#}
{% macro stage_pairs() -%}
    {%- set stages = person_stages() -%}
    {%- for stage in stages[:-1] %}
    select {{ loop.index + policy()['per_person_from'] - 1 }} as from_stage_order, {{ sql_string(stage.name) }} as from_stage,
        {{ sql_string(stages[loop.index].name) }} as to_stage
    {{- " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A SQL string literal, quoted (a policy value never reaches SQL unquoted). -#}
{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- A word through one of the policy's vocabularies (lead_statuses, lifecycle_stages): lower-cased
    and trimmed; a word the vocabulary does not know passes through lower-cased, or as
    `otherwise` when given. -#}
{% macro translated(column, vocabulary, otherwise=none) -%}
    case lower(trim({{ column }}))
    {%- for word, meaning in policy()[vocabulary].items() %}
        when {{ sql_string(word) }} then {{ 'null' if meaning is none else sql_string(meaning) }}
    {%- endfor %}
        else {{ otherwise if otherwise is not none else 'lower(trim(' ~ column ~ '))' }}
    end
{%- endmacro %}

{#- Whether the policy lets this kind of evidence show that a person entered `stage`. -#}
{% macro evidence_of(stage, kind) -%}
    {{ return(kind in policy()['evidence'][stage]) }}
{%- endmacro %}

{#- A stage's position in the funnel (1 = awareness), from the policy's stage list. -#}
{% macro stage_position(name) -%}
    {%- for stage in policy()['stages'] -%}
        {%- if stage.name == name -%}{{ return(loop.index) }}{%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no stage named " ~ name ~ " in the policy") }}
{%- endmacro %}

{#- An owner kind of the policy's `owners` (revgen/policy.py OWNER_KINDS) in int_people_staged:
    (owner type, the owner id's expression, the owned record's id whose touches count). -#}
{% macro owner_kind(kind) -%}
    {%- set kinds = {
        'nurture_program': ('program', 'nurture_program_id', 'null'),
        'marketing_user': ('user', "case when lead_owner_team = 'marketing' then lead_owner_id end", 'lead_id'),
        'lead_owner': ('user', 'lead_owner_id', 'lead_id'),
        'opportunity_owner': ('user', 'latest_opportunity_owner_id', 'latest_opportunity_id'),
        'account_owner': ('user', 'account_owner_id', 'null'),
        'won_deal_owner': ('user', 'won_opportunity_owner_id', 'won_opportunity_id'),
    } -%}
    {{ return(kinds[kind]) }}
{%- endmacro %}

{#- The mean of whole seconds (seconds_between) in units of `unit_seconds` (86400: days), summed
    as integers: exact whatever the row order, so an incremental build and a full refresh give the
    same bits, and far cheaper than summing the quotients as numeric. -#}
{% macro exact_mean(seconds, unit_seconds) -%}
    {{ exact_mean_of('sum(cast(' ~ seconds ~ ' as ' ~ dbt.type_bigint() ~ '))', 'count(' ~ seconds ~ ')', unit_seconds) }}
{%- endmacro %}

{#- The same mean from the sum of the seconds and their count (kept totals, macros/totals.sql):
    null when there is none. -#}
{% macro exact_mean_of(sum_seconds, count, unit_seconds) -%}
    cast(cast({{ sum_seconds }} as numeric) / nullif({{ count }}, 0) as {{ dbt.type_float() }}) / {{ unit_seconds }}
{%- endmacro %}

{#- Percentiles (linear interpolation) of whole seconds in units of `unit_seconds`, as one array
    (index 1 is the first of `fractions`): one sort of the group's values for all of them. -#}
{% macro percentiles(seconds, fractions, unit_seconds) -%}
    percentile_cont(array[{{ fractions | join(', ') }}]) within group (
        order by cast({{ seconds }} as {{ dbt.type_float() }}) / {{ unit_seconds }}
    )
{%- endmacro %}

{#- A person's id as the marts show it: the record's own id, unless that id is an email address
    (exports keyed by email): then a keyed hash of it, so no address reaches the marts. -#}
{% macro person_key(column) -%}
    case when {{ column }} like '%@%'
        then 'pii:' || left(revgen_meta.pii_hash({{ column }}), 24) else {{ column }} end
{%- endmacro %}

{#- The stages measured per person (database onward; awareness and preference are measured per
    campaign): revgen/policy.py PERSON_STAGES, handed over as policy.per_person_from. -#}
{% macro person_stages() -%}
    {{ return(policy()['stages'][policy()['per_person_from'] - 1:]) }}
{%- endmacro %}

{#- The per-person stages as rows: select stage_name, stage_order (one row per stage). -#}
{% macro person_stage_rows() -%}
    {%- for stage in person_stages() %}
    select {{ sql_string(stage.name) }} as stage_name, {{ loop.index + policy()['per_person_from'] - 1 }} as stage_order
    {{- " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The sub-stages of the sales process as rows: select sub_stage, sub_stage_order. -#}
{% macro sub_stage_rows() -%}
    {%- for stage in policy()['opportunity']['sub_stages'] %}
    select {{ sql_string(stage) }} as sub_stage, {{ loop.index }} as sub_stage_order
    {{- " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- When each person first reached each per-person stage, by int_stage_journeys' rule (entering a
    later stage passes through a skipped one): select person_id, stage, reached_at. `journeys` is
    a relation or CTE with int_stage_journeys' columns. The last stage has no journey of its own:
    the previous stage's reached_next_at is its first reach. -#}
{% macro stage_first_reaches(journeys) -%}
    select person_id, stage, min(reached_at) as reached_at
    from (
        select person_id, from_stage as stage, first_entered_at as reached_at
        from {{ journeys }}
        union all
        select person_id, to_stage as stage, reached_next_at as reached_at
        from {{ journeys }}
        where reached_next_at is not null
    ) as reaches
    group by person_id, stage
{%- endmacro %}
