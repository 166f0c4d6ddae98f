{#- The policy file (policy.yml), handed over by revgen as the `policy` var. -#}
{% macro policy() -%}
    {%- set value = var('policy', none) -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error("The policy var is missing: run dbt through `revgen dbt ...` (it passes dbt_project/policy.yml), not bare `dbt`.") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The moment the run describes: the DAG run's data-interval end; never the wall clock when given. -#}
{% macro as_of() -%}
    {%- if var('as_of') -%}cast('{{ var("as_of") }}' as timestamp with time zone){%- else -%}{{ dbt.current_timestamp() }}{%- endif -%}
{%- endmacro %}

{#- A SQL list literal: ('a', 'b'). -#}
{% macro sql_list(values) -%}
    ({%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#- Position of a stage in the funnel (1 = awareness), from the policy's stage list. -#}
{% macro stage_order(column) -%}
    case {{ column }}
    {%- for stage in policy()['stages'] %} when '{{ stage.name }}' then {{ loop.index }}{% endfor %}
    end
{%- endmacro %}

{#- The team that should own a person in a stage, from the policy. -#}
{% macro stage_owner_team(column) -%}
    case {{ column }}
    {%- for stage in policy()['stages'] %} when '{{ stage.name }}' then '{{ stage.owner_team }}'{% endfor %}
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
    {%- set stages = policy()['stages'][2:] -%}
    {%- for stage in stages[:-1] %}
    select {{ loop.index + 2 }} as from_stage_order, '{{ stage.name }}' as from_stage,
        '{{ stages[loop.index].name }}' as to_stage
    {{- " union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
