{#- Every opportunity judged once for the sales-outcome marts: closed, won, and its sales cycle in
    days (creation to a win). kpi_opportunity_outcomes and kpi_sales_by_owner aggregate it with
    the macro sales_outcomes(). -#}
{{ config(indexes=[{'columns': ['opportunity_id'], 'unique': True}]) }}

with opportunities as (
    select opportunity_id, opportunity_type, owner_id, stage, amount_usd, created_at, closed_at
    from {{ ref('int_opportunities_resolved') }}
),

final as (
    select
        opportunity_id,
        coalesce(opportunity_type, 'unknown') as opportunity_type,
        owner_id,
        amount_usd,
        case when stage in ('won', 'lost') then 1 else 0 end as is_closed,
        case when stage = 'won' then 1 else 0 end as is_won,
        -- whole seconds; the marts give days (exact_mean, percentiles)
        case when stage = 'won'
            then {{ seconds_between('created_at', 'closed_at') }}
        end as cycle_seconds
    from opportunities
)

select * from final
