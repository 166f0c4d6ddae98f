{#- Per person, each hand-over to sales (an entry into the lead stage: an MQL, a re-qualification)
    and when one of the person's leads was first accepted (status working) after it and before the
    next hand-over: what kpi_sla_compliance judges against the policy's SLA and the run's as-of
    time. Incremental: the people int_changed_people names (whose stage events or lead history
    changed) are rebuilt. enable_nestloop off, in this build's transaction only: the staging view
    of the lead history hides its status filter in expressions, PostgreSQL guesses 20 acceptances
    where there are hundreds of thousands and loops over all of them for each hand-over (35 s
    instead of a fraction of a second for 2,000 hand-overs at 1M people). -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id']}],
    pre_hook=[
        "set local enable_nestloop = off",
        "{{ delete_rebuilt_people() }}",
    ],
    post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with handovers as (
    select
        person_id,
        entered_at as handed_over_at,
        lead(entered_at) over (partition by person_id order by event_number) as next_handover_at
    from {{ ref('int_stage_events_unioned') }}
    where stage = 'lead' and {{ only_rebuilt_people(by_key=true) }}
),

leads as (
    select lead_id, person_id
    from {{ ref('int_leads_resolved') }}
    where {{ only_rebuilt_people() }}
),

acceptances as (
    select lead_id, changed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status' and new_value = 'working'
),

answered as (
    select
        handovers.person_id,
        handovers.handed_over_at,
        min(acceptances.changed_at) as accepted_at
    from handovers
    left join leads on handovers.person_id = leads.person_id
    left join acceptances
        on leads.lead_id = acceptances.lead_id
        and handovers.handed_over_at <= acceptances.changed_at
        and (handovers.next_handover_at is null
             or handovers.next_handover_at > acceptances.changed_at)
    group by handovers.person_id, handovers.handed_over_at
)

select * from answered
