{#- Sales outcomes per opportunity owner (a rep, with their office and manager): deals, win rate by
    count and by amount, deal size, sales cycle (mean, median, p90 days from creation to a win) and
    the open pipeline; open deals owned by nobody, or by an unknown or inactive user, are counted
    under owner_key '(no active owner)'. Offices and managers roll up from these rows. -#}

with opportunities as (
    select opportunity_id, owner_id, stage, amount_usd, created_at, closed_at
    from {{ ref('stg_crm__opportunities') }}
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
        opportunities.amount_usd,
        case when opportunities.stage in ('won', 'lost') then 1 else 0 end as is_closed,
        case when opportunities.stage = 'won' then 1 else 0 end as is_won,
        case when opportunities.stage = 'won' and opportunities.closed_at is not null
            then cast({{ dbt.datediff('opportunities.created_at', 'opportunities.closed_at', 'second') }}
                as {{ dbt.type_float() }}) / 86400
        end as cycle_days
    from opportunities
    left join users on users.user_id = opportunities.owner_id
),

final as (
    select
        owner_key,
        case when owner_key = '(no active owner)' then null else max(user_name) end as owner_name,
        case when owner_key = '(no active owner)' then null else max(office) end as office,
        case when owner_key = '(no active owner)' then null else max(manager) end as manager,
        case when owner_key = '(no active owner)' then null else max(team) end as team,
        count(*) as opportunities,
        cast(sum(is_won) as {{ dbt.type_bigint() }}) as won,
        cast(sum(is_closed - is_won) as {{ dbt.type_bigint() }}) as lost,
        cast(sum(1 - is_closed) as {{ dbt.type_bigint() }}) as open,
        case when sum(is_closed) > 0
            then cast(sum(is_won) as {{ dbt.type_float() }}) / sum(is_closed) end
            as win_rate_by_count,
        case when sum(is_closed * amount_usd) > 0
            then cast(sum(is_won * amount_usd) / sum(is_closed * amount_usd)
                as {{ dbt.type_float() }}) end
            as win_rate_by_amount,
        coalesce(sum(is_won * amount_usd), 0) as won_amount_usd,
        case when sum(is_won) > 0
            then round(sum(is_won * amount_usd) / sum(is_won), 2) end as average_deal_usd,
        {{ exact_mean("cycle_days") }} as cycle_days_mean,
        percentile_cont(0.5) within group (order by cycle_days) as cycle_days_median,
        percentile_cont(0.9) within group (order by cycle_days) as cycle_days_p90,
        coalesce(round(sum((1 - is_closed) * amount_usd), 2), 0) as open_pipeline_usd
    from judged
    group by owner_key
)

select * from final
