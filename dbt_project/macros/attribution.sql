{#- Return on spend, (revenue - spend) / spend, rounded to 4 places: null when there is no spend,
    and null when no revenue is measured (principle 4: not measurable, never -1 that reads as
    worthless). -#}
{% macro roi(revenue, spend) -%}
    case when {{ spend }} > 0 and {{ revenue }} > 0
        then round(({{ revenue }} - {{ spend }}) / {{ spend }}, 4)
    end
{%- endmacro %}

{#- Why a ROI is or is not shown: measured, no_spend or no_measurable_revenue. -#}
{% macro roi_basis(revenue, spend) -%}
    case
        when coalesce({{ spend }}, 0) <= 0 then 'no_spend'
        when coalesce({{ revenue }}, 0) <= 0 then 'no_measurable_revenue'
        else 'measured'
    end
{%- endmacro %}

{#- The visitors whose anonymous touches may have changed since `since` (int_campaign_reach): the
    visitor of a touchpoint loaded since, the visitor a touchpoint had before it changed or was
    deleted (int_touchpoints_replaced), and the visitors of the touchpoints of a contact that
    changed hands (a touch becomes anonymous, or known). -#}
{% macro reach_rebuilt_visitors(since) -%}
    select visitor_id from {{ ref('stg_marketing__touchpoints') }}
    where _loaded_at >= {{ since }} and visitor_id is not null
    union
    select visitor_id from {{ ref('int_touchpoints_replaced') }}
    where replaced_at >= {{ since }} and visitor_id is not null
    union
    select visitor_id from {{ ref('int_touchpoints_resolved') }}
    where contact_id in ({{ rehomed_records('contact', since) }}) and visitor_id is not null
{%- endmacro %}

{#- The anonymous rows of int_campaign_reach a build since `since` rebuilds: those of the visitors
    above, and the touches with no visitor (recounted every build). -#}
{% macro rebuilt_visitors_condition(since) -%}
    person_id is null
    and (visitor_id is null or visitor_id = any(array({{ reach_rebuilt_visitors(since) }})))
{%- endmacro %}

{#- What int_campaign_reach keeps per campaign for kpi_campaign_attribution (its totals, macros/
    totals.sql): known people reached and engaged (an interest touch), anonymous visitors and
    their touches. -#}
{% macro campaign_reach_totals() -%}
    {{ return({'group_by': {'campaign_id': 'campaign_id'}, 'sums': {
        'people_reached': 'case when person_id is not null then 1 else 0 end',
        'people_engaged': 'case when person_id is not null then is_engaged else 0 end',
        'anonymous_visitors': 'case when person_id is null and visitor_id is not null then 1 else 0 end',
        'anonymous_touches': 'case when person_id is null then touches else 0 end'}}) }}
{%- endmacro %}

{#- Pre-hook of int_campaign_reach: the anonymous rows it rebuilds (delete_rebuilt_people takes
    the people's; all rows when it recomputes everything). -#}
{% macro delete_rebuilt_visitors() -%}
    {%- set since = incremental_since() -%}
    {%- if since is not none -%}
        {{ delete_rows(rebuilt_visitors_condition(since)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
