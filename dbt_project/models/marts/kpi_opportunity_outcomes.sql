{#- Per opportunity type: win rate by count and by amount, average won deal, median sales cycle
    (days from creation to a win) and the open pipeline. -#}

with opportunities as (
    select opportunity_type, stage, amount_usd, created_at, closed_at
    from {{ ref('stg_crm__opportunities') }}
),

judged as (
    select
        coalesce(opportunity_type, 'unknown') as opportunity_type,
        amount_usd,
        case when stage in ('won', 'lost') then 1 else 0 end as is_closed,
        case when stage = 'won' then 1 else 0 end as is_won,
        case when stage = 'won'
            then cast({{ dbt.datediff('created_at', 'closed_at', 'second') }}
                as {{ dbt.type_float() }}) / 86400
        end as cycle_days
    from opportunities
),

final as (
    select
        opportunity_type,
        cast(sum(is_won) as {{ dbt.type_bigint() }}) as won,
        cast(sum(is_closed) as {{ dbt.type_bigint() }}) as closed,
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
        {{ exact_mean("cycle_days") }} as cycle_days_mean,
        percentile_cont(0.5) within group (order by cycle_days) as cycle_days_median,
        percentile_cont(0.9) within group (order by cycle_days) as cycle_days_p90,
        round(sum((1 - is_closed) * amount_usd), 2) as open_pipeline_usd
    from judged
    group by opportunity_type
)

select * from final
