{#- Per person: the campaign and channel of their first known touch (their source). -#}

with touchpoints as (
    select person_id, campaign_id, channel, touched_at, touchpoint_id
    from {{ ref('int_touchpoints_resolved') }}
    where person_id is not null
),

ranked as (
    select
        touchpoints.*,
        row_number() over (partition by person_id order by touched_at, touchpoint_id) as position
    from touchpoints
),

final as (
    select person_id, campaign_id as source_campaign_id, channel as source_channel
    from ranked
    where position = 1
)

select * from final
