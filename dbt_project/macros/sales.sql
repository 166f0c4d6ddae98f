{#- The sales outcomes of a group of judged opportunities (int_opportunities_judged): counts, win
    rate by count and by amount, average won deal, sales cycle (mean, median, p90). -#}
{% macro sales_outcomes() -%}
        cast(sum(is_won) as {{ dbt.type_bigint() }}) as won,
        cast(sum(1 - is_closed) as {{ dbt.type_bigint() }}) as open,
        case when sum(is_closed) > 0
            then cast(sum(is_won) as {{ dbt.type_float() }}) / sum(is_closed) end
            as win_rate_by_count,
        case when sum(is_closed * amount_usd) > 0
            then cast(sum(is_won * amount_usd) / sum(is_closed * amount_usd)
                as {{ dbt.type_float() }}) end
            as win_rate_by_amount,
        case when sum(is_won) > 0
            then round(sum(is_won * amount_usd) / sum(is_won), 2) end as average_deal_usd,
        {{ exact_mean('cycle_seconds', 86400) }} as cycle_days_mean,
        ({{ percentiles('cycle_seconds', [0.5, 0.9], 86400) }})[1] as cycle_days_median,
        ({{ percentiles('cycle_seconds', [0.5, 0.9], 86400) }})[2] as cycle_days_p90
{%- endmacro %}


{#- Principle 1: sales hours priced at the rep's hourly value, annual revenue target / (working
    days x hours a day), the policy's default target when the rep has none (revgen/policy.py
    WastedTime says the same for Python). The hourly value itself is one hour priced. -#}
{% macro priced_hours_usd(hours, annual_target) -%}
    {%- set wasted = policy()['wasted_time'] -%}
    {{ hours }} * coalesce({{ annual_target }}, {{ wasted['annual_revenue_target_usd'] }})
        / ({{ wasted['working_days_per_year'] }} * {{ wasted['hours_per_day'] }})
{%- endmacro %}
