{#- Principle 4: spend that cannot be linked to any measurable outcome (campaigns that reached no
    known person), and its share of the budget. One row. -#}

with campaigns as (
    select spend_usd, is_measurable
    from {{ ref('kpi_campaign_attribution') }}
),

final as (
    select
        {{ as_of() }} as as_of,
        sum(spend_usd) as total_spend_usd,
        sum(case when is_measurable then 0 else spend_usd end) as unmeasurable_spend_usd,
        case when sum(spend_usd) > 0
            then cast(sum(case when is_measurable then 0 else spend_usd end)
                as {{ dbt.type_float() }}) / cast(sum(spend_usd) as {{ dbt.type_float() }})
        end as unmeasurable_share,
        cast(sum(case when is_measurable then 0 else 1 end) as {{ dbt.type_bigint() }})
            as unmeasurable_campaigns
    from campaigns
)

select * from final
