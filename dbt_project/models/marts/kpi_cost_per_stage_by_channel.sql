{#- Cost per person reaching each stage, by channel (grain: channel x stage): the spend of the
    channel's campaigns over the people they sourced who ever reached the stage (the channel x
    stage grid of the report). -#}

with cost_per_stage as (
    select
        channel,
        stage_order,
        stage_name,
        people_reached_stage,
        spend_usd
    from {{ ref('kpi_cost_per_stage') }}
),

final as (
    select
        coalesce(channel, 'unknown') || '|' || stage_name as cost_by_channel_id,
        coalesce(channel, 'unknown') as channel,
        stage_order,
        stage_name,
        cast(sum(people_reached_stage) as {{ dbt.type_bigint() }}) as people_reached_stage,
        sum(spend_usd) as spend_usd,
        case when sum(people_reached_stage) > 0 and sum(spend_usd) > 0
                then round(sum(spend_usd) / sum(people_reached_stage), 2)
        end as cost_per_person_usd
    from cost_per_stage
    group by coalesce(channel, 'unknown'), stage_order, stage_name
)

select * from final
