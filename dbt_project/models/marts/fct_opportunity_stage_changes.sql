{#- Every move of an opportunity through the sales process (sub-stages from the policy file, then
    won or lost), with its direction: forward, backward (e.g. negotiation back to proposal) or
    closing. -#}
{%- set sub_stages = policy()['opportunity']['sub_stages'] -%}

with history as (
    select history_id, opportunity_id, stage, amount_usd, changed_at
    from {{ ref('stg_crm__opportunity_history') }}
),

opportunities as (
    select opportunity_id, opportunity_type, owner_id
    from {{ ref('stg_crm__opportunities') }}
),

ordered as (
    select
        history.*,
        case history.stage
        {%- for stage in sub_stages %}
            when {{ sql_string(stage) }} then {{ loop.index }}
        {%- endfor %}
            when 'won' then {{ sub_stages | length + 1 }}
            when 'lost' then {{ sub_stages | length + 1 }}
        end as stage_position,
        lag(history.stage) over (
            partition by history.opportunity_id order by history.changed_at, history.history_id
        ) as from_stage
    from history
),

final as (
    select
        ordered.history_id as stage_change_id,
        ordered.opportunity_id,
        opportunities.opportunity_type,
        opportunities.owner_id,
        ordered.from_stage,
        ordered.stage as to_stage,
        case
            when ordered.from_stage is null then 'created'
            when ordered.stage in ('won', 'lost') then 'closed'
            when ordered.stage_position < lag(ordered.stage_position) over (
                partition by ordered.opportunity_id order by ordered.changed_at, ordered.history_id
            ) then 'backward'
            else 'forward'
        end as direction,
        ordered.amount_usd,
        ordered.changed_at
    from ordered
    left join opportunities on ordered.opportunity_id = opportunities.opportunity_id
)

select * from final
