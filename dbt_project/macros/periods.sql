{#- Which comparison period a moment falls in: 'last' (the last comparison_days up to as_of),
    'previous' (the same number of days before) or null. Reads the CTE `windows` (as_of,
    last_from, previous_from) of the model, e.g. kpi_headlines. -#}
{% macro comparison_period(at) -%}
    case
        when {{ at }} > windows.last_from and {{ at }} <= windows.as_of then 'last'
        when {{ at }} > windows.previous_from and {{ at }} <= windows.last_from then 'previous'
    end
{%- endmacro %}
