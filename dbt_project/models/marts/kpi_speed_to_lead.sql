{#- Speed to lead: minutes from a person's first MQL to the first sales touch on their lead
    (median, 95th percentile, share within an hour - a lead called within the hour qualifies
    several times more often than one called a day later). One row. -#}

-- not materialized (it is read twice): the planner sees the table's statistics, not a guess
with qualified as not materialized (
    select contact_id, mql_at
    from {{ ref('int_contacts_qualified') }}
    where mql_at is not null
),

leads as (
    select lead_id, person_id as contact_id
    from {{ ref('int_leads_resolved') }}
),

activities as (
    select lead_id, owner_id, started_at
    from {{ ref('stg_crm__activities') }}
    where lead_id is not null
),

users as (
    select user_id
    from {{ ref('stg_crm__users') }}
    where team = 'sales'
),

-- sales touches are told apart in the aggregate (a hashed list of the reps), not by a join: right
-- after a load the users and activities have no statistics, the planner guessed one rep and a
-- hundred activities and looped over every pair (seconds at 100k people; the result is the same:
-- no sales touch, no time)
first_touches as (
    select
        qualified.contact_id,
        min(case when activities.owner_id in (select user_id from users)
            then activities.started_at end) as first_touch_at
    from qualified
    inner join leads on qualified.contact_id = leads.contact_id
    inner join activities on leads.lead_id = activities.lead_id
    where activities.started_at >= qualified.mql_at
    group by qualified.contact_id
),

responses as (
    select
        qualified.contact_id,
        cast({{ seconds_between('qualified.mql_at', 'first_touches.first_touch_at') }}
            as {{ dbt.type_float() }}) / 60 as minutes_to_first_touch
    from qualified
    left join first_touches on qualified.contact_id = first_touches.contact_id
),

final as (
    select
        {{ as_of() }} as as_of,
        count(minutes_to_first_touch) as mqls_touched,
        count(*) - count(minutes_to_first_touch) as mqls_never_touched,
        percentile_cont(0.5) within group (order by minutes_to_first_touch) as median_minutes,
        percentile_cont(0.95) within group (order by minutes_to_first_touch) as p95_minutes,
        avg(case when minutes_to_first_touch <= 60 then 1.0
                 when minutes_to_first_touch is not null then 0.0 end) as share_within_1h
    from responses
)

select * from final
