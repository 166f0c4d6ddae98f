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
