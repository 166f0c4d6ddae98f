{#- Sales outcomes per opportunity owner (a rep, with their office and manager): deals, win rate by
    count and by amount, deal size, sales cycle (mean, median, p90 days from creation to a win) and
    the open pipeline; open deals owned by nobody, or by an unknown or inactive user, are counted
    under owner_key '(no active owner)'. Offices and managers roll up from these rows. -#}

with judged_opportunities as (
    select owner_id, amount_usd, is_closed, is_won, cycle_seconds
    from {{ ref('int_opportunities_judged') }}
),

users as (
    select user_id, user_name, office, manager, team, is_active
    from {{ ref('stg_crm__users') }}
),

judged as (
    select
        case
            when users.user_id is null or not users.is_active then '(no active owner)'
            else users.user_id
        end as owner_key,
        users.user_name,
        users.office,
        users.manager,
        users.team,
        judged_opportunities.amount_usd,
        judged_opportunities.is_closed,
        judged_opportunities.is_won,
        judged_opportunities.cycle_seconds
    from judged_opportunities
    left join users on judged_opportunities.owner_id = users.user_id
),

final as (
    select
        owner_key,
        case when owner_key = '(no active owner)' then null else max(user_name) end as owner_name,
        case when owner_key = '(no active owner)' then null else max(office) end as office,
        case when owner_key = '(no active owner)' then null else max(manager) end as manager,
        case when owner_key = '(no active owner)' then null else max(team) end as team,
        count(*) as opportunities,
        {{ sales_outcomes() }},
        cast(sum(is_closed - is_won) as {{ dbt.type_bigint() }}) as lost,
        -- 0 when nothing was won; null (not measurable) when the won deals carry no amount
        case when sum(is_won) = 0 then 0 else sum(case when is_won = 1 then amount_usd end) end
            as won_amount_usd,
        coalesce(round(sum((1 - is_closed) * amount_usd), 2), 0) as open_pipeline_usd
    from judged
    group by owner_key
)

select * from final
