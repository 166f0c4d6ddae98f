{#- Principle 4, "measure everything": each campaign's spend, the people it reached, and the won
    new-business revenue credited to it by four models over the person's touches up to the
    opportunity's creation (ordered by time, then id): first touch, last touch, linear, and
    W-shaped (30% first touch, 30% lead-creation touch = the last at or before the first MQL,
    30% opportunity-creation touch = the last; 10% split over the touches in between, or over
    the three key touches when there is none). ROI = (attributed revenue - spend) / spend. -#}

with campaigns as (
    select campaign_id, campaign_name, channel
    from {{ ref('stg_marketing__campaigns') }}
),

spend as (
    select campaign_id, sum(amount_usd) as spend_usd
    from {{ ref('stg_marketing__campaign_spend') }}
    group by campaign_id
),

-- not materialized: the won deals' paths read only their people's touches (by index)
touchpoints as not materialized (
    select touchpoint_id, person_id as contact_id, visitor_id, campaign_id, touch_type, touched_at
    from {{ ref('int_touchpoints_resolved') }}
),

leads as (
    select lead_id, person_id as contact_id
    from {{ ref('int_leads_resolved') }}
),

won_deals as (
    select
        opportunities.opportunity_id,
        opportunities.amount_usd,
        opportunities.created_at as opportunity_at,
        leads.contact_id as person_id,
        qualified.mql_at
    from {{ ref('int_opportunities_resolved') }} as opportunities
    inner join leads on opportunities.lead_id = leads.lead_id
    left join {{ ref('int_contacts_qualified') }} as qualified
        on leads.contact_id = qualified.contact_id
    where opportunities.stage = 'won'
),

paths as (
    select
        won_deals.opportunity_id,
        won_deals.amount_usd,
        won_deals.mql_at,
        touchpoints.campaign_id,
        touchpoints.touched_at,
        row_number() over (
            partition by won_deals.opportunity_id
            order by touchpoints.touched_at, touchpoints.touchpoint_id
        ) as position,
        count(*) over (partition by won_deals.opportunity_id) as touches
    from won_deals
    inner join touchpoints
        on won_deals.person_id = touchpoints.contact_id
        and won_deals.opportunity_at >= touchpoints.touched_at
),

lead_positions as (
    select
        opportunity_id,
        coalesce(max(case when touched_at <= mql_at then position end), 1) as lead_position
    from paths
    group by opportunity_id
),

keyed as (
    select
        paths.*,
        lead_positions.lead_position,
        (case when position = 1 then 1 else 0 end)
            + (case when position = lead_positions.lead_position then 1 else 0 end)
            + (case when position = touches then 1 else 0 end) as key_shares,
        touches - (1
            + case when lead_positions.lead_position <> 1 then 1 else 0 end
            + case when touches <> 1 and touches <> lead_positions.lead_position then 1 else 0 end
        ) as middle_touches
    from paths
    inner join lead_positions on paths.opportunity_id = lead_positions.opportunity_id
),

credited as (
    select
        campaign_id,
        amount_usd * case when position = 1 then 1 else 0 end as first_touch_usd,
        amount_usd * case when position = touches then 1 else 0 end as last_touch_usd,
        amount_usd / touches as linear_usd,
        amount_usd * (
            0.3 * key_shares
            + case
                when middle_touches > 0 then
                    case when key_shares = 0 then 0.1 / middle_touches else 0 end
                else key_shares * 0.1 / 3
            end
        ) as w_shaped_usd
    from keyed
),

credit_by_campaign as (
    select
        campaign_id,
        sum(first_touch_usd) as first_touch_usd,
        sum(last_touch_usd) as last_touch_usd,
        sum(linear_usd) as linear_usd,
        sum(w_shaped_usd) as w_shaped_usd
    from credited
    group by campaign_id
),

-- awareness (anonymous visitors and known people reached) and preference (engaged people): the
-- sums int_campaign_reach keeps per campaign as its rows change (macro campaign_reach_totals), so
-- a night reads a row per campaign, not every person's reach
reach_counts as (
    select
        campaign_id,
        cast(people_reached as {{ dbt.type_bigint() }}) as people_reached,
        cast(people_engaged as {{ dbt.type_bigint() }}) as people_engaged,
        cast(anonymous_visitors as {{ dbt.type_bigint() }}) as anonymous_visitors,
        cast(anonymous_touches as {{ dbt.type_bigint() }}) as anonymous_touches
    from {{ totals_of(ref('int_campaign_reach'), campaign_reach_totals()) }}
),

reach as (
    select
        campaigns.campaign_id,
        reach_counts.people_reached,
        reach_counts.anonymous_visitors,
        reach_counts.anonymous_touches,
        reach_counts.people_engaged
    from campaigns
    left join reach_counts on campaigns.campaign_id = reach_counts.campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        coalesce(spend.spend_usd, 0) as spend_usd,
        coalesce(reach.people_reached, 0) as people_reached,
        coalesce(reach.anonymous_visitors, 0) as anonymous_visitors,
        coalesce(reach.anonymous_touches, 0) as anonymous_touches,
        coalesce(reach.people_engaged, 0) as people_engaged,
        case when reach.people_reached > 0
            then cast(reach.people_engaged as {{ dbt.type_float() }}) / reach.people_reached
        end as engagement_rate,
        case when coalesce(reach.people_reached, 0) = 0 then false else true end as is_measurable,
        round(coalesce(credit_by_campaign.first_touch_usd, 0), 2) as first_touch_revenue_usd,
        round(coalesce(credit_by_campaign.last_touch_usd, 0), 2) as last_touch_revenue_usd,
        round(coalesce(credit_by_campaign.linear_usd, 0), 2) as linear_revenue_usd,
        round(coalesce(credit_by_campaign.w_shaped_usd, 0), 2) as w_shaped_revenue_usd,
        {{ roi('credit_by_campaign.w_shaped_usd', 'spend.spend_usd') }} as w_shaped_roi,
        {{ roi_basis('credit_by_campaign.w_shaped_usd', 'spend.spend_usd') }} as roi_basis
    from campaigns
    left join spend on campaigns.campaign_id = spend.campaign_id
    left join reach on campaigns.campaign_id = reach.campaign_id
    left join credit_by_campaign on campaigns.campaign_id = credit_by_campaign.campaign_id
)

select * from final
