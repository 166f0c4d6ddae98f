{#- The campaign figures rolled up per channel: spend, reach, engagement, attributed revenue
    (four models) and W-shaped ROI. -#}

with campaigns as (
    select * from {{ ref('kpi_campaign_attribution') }}
),

final as (
    select
        coalesce(channel, 'unknown') as channel,
        count(*) as campaigns,
        sum(spend_usd) as spend_usd,
        sum(people_reached) as people_reached,
        sum(people_engaged) as people_engaged,
        sum(anonymous_visitors) as anonymous_visitors,
        sum(first_touch_revenue_usd) as first_touch_revenue_usd,
        sum(last_touch_revenue_usd) as last_touch_revenue_usd,
        sum(linear_revenue_usd) as linear_revenue_usd,
        sum(w_shaped_revenue_usd) as w_shaped_revenue_usd,
        {{ roi('sum(w_shaped_revenue_usd)', 'sum(spend_usd)') }} as w_shaped_roi,
        {{ roi_basis('sum(w_shaped_revenue_usd)', 'sum(spend_usd)') }} as roi_basis
    from campaigns
    group by coalesce(channel, 'unknown')
)

select * from final
