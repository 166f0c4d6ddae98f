{#- Cost per stage by campaign and channel: a campaign's spend divided by the people it sourced
    (their first known touch) who ever reached each stage. -#}

with events as (
    -- each person once per stage they entered: their first entry (no distinct over every entry)
    select person_id, stage
    from {{ ref('int_stage_events_unioned') }}
    where entry_number = 1
),

sources as (
    -- people a campaign sourced (people whose source is only a channel have no campaign spend)
    select person_id as contact_id, source_campaign_id as campaign_id
    from {{ ref('int_people_sources') }}
    where source_campaign_id is not null
),

campaigns as (
    select campaign_id, channel
    from {{ ref('stg_marketing__campaigns') }}
),

spend as (
    select campaign_id, sum(amount_usd) as spend_usd
    from {{ ref('stg_marketing__campaign_spend') }}
    group by campaign_id
),

reached as (
    select sources.campaign_id, events.stage, count(*) as people_reached_stage
    from events
    inner join sources on events.person_id = sources.contact_id
    group by sources.campaign_id, events.stage
),

stages as (
    {{- person_stage_rows() }}
),

final as (
    select
        reached.campaign_id || '|' || reached.stage as cost_per_stage_id,
        reached.campaign_id,
        campaigns.channel,
        stages.stage_order,
        reached.stage as stage_name,
        reached.people_reached_stage,
        coalesce(spend.spend_usd, 0) as spend_usd,
        round(coalesce(spend.spend_usd, 0) / reached.people_reached_stage, 2) as cost_per_person_usd
    from reached
    inner join stages on reached.stage = stages.stage_name
    left join campaigns on reached.campaign_id = campaigns.campaign_id
    left join spend on reached.campaign_id = spend.campaign_id
)

select * from final
