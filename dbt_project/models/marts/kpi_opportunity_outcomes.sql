{#- Per opportunity type: win rate by count and by amount, average won deal, sales cycle (days
    from creation to a win: mean, median, p90) and the open pipeline. -#}

with judged as (
    select opportunity_type, amount_usd, is_closed, is_won, cycle_seconds
    from {{ ref('int_opportunities_judged') }}
),

final as (
    select
        opportunity_type,
        {{ sales_outcomes() }},
        cast(sum(is_closed) as {{ dbt.type_bigint() }}) as closed,
        -- nothing open: 0; open deals none of which has an amount: null (not measurable)
        case
            when count(case when is_closed = 0 then 1 end) = 0 then 0
            when count(case when is_closed = 0 then amount_usd end) > 0
                then round(sum((1 - is_closed) * amount_usd), 2)
        end as open_pipeline_usd
    from judged
    group by opportunity_type
)

select * from final
