{#- SLA compliance of hand-overs to sales: each entry into a stage with an SLA in the policy (an
    MQL, a re-qualification) is met when the lead is accepted (status working) within the SLA.
    Hand-overs neither accepted nor past their deadline are still open and not counted. -#}
{%- set sla_hours = stage_sla_hours('lead') -%}

with events as (
    select person_id, stage, entered_at, event_number
    from {{ ref('int_stage_events_unioned') }}
),

leads as (
    select lead_id, person_id as contact_id
    from {{ ref('int_leads_resolved') }}
),

acceptances as (
    select lead_id, changed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status' and new_value = 'working'
),

observed as (
    -- acceptance is seen only in a lead status history: without one it is not measurable
    select count(*) > 0 as has_status_history
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status'
),

handovers as (
    select
        person_id,
        entered_at as handed_over_at,
        lead(entered_at) over (partition by person_id order by event_number) as next_handover_at
    from events
    where stage = 'lead'
),

answered as (
    select
        handovers.person_id,
        handovers.handed_over_at,
        min(acceptances.changed_at) as accepted_at
    from handovers
    left join leads on handovers.person_id = leads.contact_id
    left join acceptances
        on leads.lead_id = acceptances.lead_id
        and handovers.handed_over_at <= acceptances.changed_at
        and (handovers.next_handover_at is null
             or handovers.next_handover_at > acceptances.changed_at)
    group by handovers.person_id, handovers.handed_over_at
),

judged as (
    select
        case when accepted_at is not null
                and accepted_at <= {{ dbt.dateadd('hour', sla_hours, 'handed_over_at') }}
            then 1 else 0 end as is_met,
        case when accepted_at is not null
                or {{ dbt.dateadd('hour', sla_hours, 'handed_over_at') }} <= {{ as_of() }}
            then 1 else 0 end as is_decided
    from answered
),

final as (
    select
        'lead' as stage_name,
        {{ sla_hours }} as sla_hours,
        cast(coalesce(sum(is_decided), 0) as {{ dbt.type_bigint() }}) as handovers_decided,
        cast(coalesce(sum(is_met), 0) as {{ dbt.type_bigint() }}) as handovers_met,
        case when sum(is_decided) > 0 and bool_and(observed.has_status_history)
            then cast(sum(is_met) as {{ dbt.type_float() }}) / sum(is_decided)
        end as compliance
    from judged
    cross join observed
)

select * from final
