{#- SLA compliance of hand-overs to sales: each entry into a stage with an SLA in the policy (an
    MQL, a re-qualification) is met when the lead is accepted (status working) within the SLA.
    Hand-overs neither accepted nor past their deadline are still open and not counted. The
    hand-overs and their acceptance are kept per person (int_lead_handovers); the deadline is
    judged here, against this run's as-of time. -#}
{%- set sla_hours = stage_sla_hours('lead') -%}

with answered as (
    select handed_over_at, accepted_at
    from {{ ref('int_lead_handovers') }}
),

observed as (
    -- acceptance is seen only in a lead status history: without one it is not measurable
    select exists(
        select 1 from {{ ref('stg_crm__lead_history') }} where field = 'status'
    ) as has_status_history
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
