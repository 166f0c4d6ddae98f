{#- Every entry of every person into a stage, in order: known (database), prospect (ICP fit and
    interest), MQL (score over the policy threshold), then the CRM's moves: recycled to marketing,
    re-qualified, disqualified, converted to an opportunity, won, lost. Ties at the same moment
    keep this order (event_rank), then the source row id. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id']}], pre_hook="{{ delete_rebuilt_people() }}", post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}


with contacts as (
    select contacts.contact_id, contacts.created_at
    from {{ ref('stg_marketing__contacts') }} as contacts
    inner join {{ ref('int_contacts_resolved') }} as resolved
        on resolved.contact_id = contacts.contact_id and resolved.person_id = contacts.contact_id
    where {{ only_rebuilt_people('contacts.contact_id') }}
),

qualified as (
    select contact_id, prospect_at, mql_at
    from {{ ref('int_contacts_qualified') }}
    where {{ only_rebuilt_people('contact_id') }}
),

leads as (
    select lead_id, person_id as contact_id
    from {{ ref('int_leads_resolved') }}
    where person_id is not null and {{ only_rebuilt_people() }}
),

lead_status_changes as (
    select history_id, lead_id, old_value, new_value, changed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status'
),

opportunities as (
    -- what makes an opportunity (policy): accepted and converted, budget confirmed if required
    select opportunity_id, lead_id
    from {{ ref('stg_crm__opportunities') }}
    where lead_id is not null
    {%- if policy()['opportunity']['require_budget'] %}
        and has_budget
    {%- endif %}
),

opportunity_closings as (
    select history_id, opportunity_id, stage, changed_at
    from {{ ref('stg_crm__opportunity_history') }}
    where stage in ('won', 'lost')
),

known as (
    select contact_id as person_id, 'database' as stage, created_at as entered_at,
        1 as event_rank, contact_id as event_id, 'known' as reason
    from contacts
),

prospects as (
    select contact_id, 'prospect', prospect_at, 2, contact_id, 'icp_fit_and_interest'
    from qualified
    where prospect_at is not null
),

mqls as (
    select contact_id, 'lead', mql_at, 3, contact_id, 'mql_score'
    from qualified
    where mql_at is not null
),

lead_moves as (
    select
        leads.contact_id,
        case lead_status_changes.new_value
            when 'recycled' then 'prospect'
            when 'new' then 'lead'
            when 'disqualified' then 'database'
            when 'converted' then 'opportunity'
        end,
        lead_status_changes.changed_at,
        4,
        lead_status_changes.history_id,
        case lead_status_changes.new_value
            when 'new' then 'requalified'
            else lead_status_changes.new_value
        end
    from lead_status_changes
    inner join leads on leads.lead_id = lead_status_changes.lead_id
    where lead_status_changes.new_value in ('recycled', 'disqualified')
        or (lead_status_changes.new_value = 'new' and lead_status_changes.old_value = 'recycled')
        -- `in`, not a correlated `exists`: PostgreSQL hashes the list once instead of
        -- scanning the opportunities again for every history row
        or (lead_status_changes.new_value = 'converted'
            and lead_status_changes.lead_id in (select lead_id from opportunities))
),

deal_outcomes as (
    select
        leads.contact_id,
        case opportunity_closings.stage when 'won' then 'customer' else 'prospect' end,
        opportunity_closings.changed_at,
        5,
        opportunity_closings.history_id,
        opportunity_closings.stage
    from opportunity_closings
    inner join opportunities on opportunities.opportunity_id = opportunity_closings.opportunity_id
    inner join leads on leads.lead_id = opportunities.lead_id
),

unioned as (
    select * from known
    union all
    select * from prospects
    union all
    select * from mqls
    union all
    select * from lead_moves
    union all
    select * from deal_outcomes
),

final as (
    select
        person_id,
        row_number() over (
            partition by person_id order by entered_at, event_rank, event_id
        ) as event_number,
        stage,
        {{ stage_order('stage') }} as stage_order,
        entered_at,
        reason
    from unioned
    where {{ only_rebuilt_people() }}
)

select * from final
