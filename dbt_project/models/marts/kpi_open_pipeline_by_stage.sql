{#- The open pipeline by sub-stage of the sales process (grain: sub_stage, from the policy):
    open opportunities standing in it and their amount, and the backward moves out of it. -#}

with opportunities as (
    select
        opportunity_id,
        stage,
        amount_usd
    from {{ ref('int_opportunities_resolved') }}
),

stage_changes as (
    select
        from_stage,
        direction
    from {{ ref('fct_opportunity_stage_changes') }}
),

sub_stages as (
    {{- sub_stage_rows() }}
),

open_by_stage as (
    select
        stage,
        count(*) as open_opportunities,
        count(amount_usd) as with_amount,
        sum(amount_usd) as amount_usd
    from opportunities
    group by stage
),

backward as (
    select
        from_stage,
        count(*) as backward_moves
    from stage_changes
    where direction = 'backward'
    group by from_stage
),

final as (
    select
        sub_stages.sub_stage,
        sub_stages.sub_stage_order,
        cast(coalesce(open_by_stage.open_opportunities, 0) as {{ dbt.type_bigint() }})
            as open_opportunities,
        cast(coalesce(open_by_stage.with_amount, 0) as {{ dbt.type_bigint() }})
            as open_with_amount,
        -- nothing open here: 0; open deals none of which has an amount: null (not measurable)
        case
            when coalesce(open_by_stage.open_opportunities, 0) = 0 then 0
            when open_by_stage.with_amount > 0 then open_by_stage.amount_usd
        end as open_pipeline_usd,
        cast(coalesce(backward.backward_moves, 0) as {{ dbt.type_bigint() }}) as backward_moves
    from sub_stages
    left join open_by_stage on sub_stages.sub_stage = open_by_stage.stage
    left join backward on sub_stages.sub_stage = backward.from_stage
)

select * from final
