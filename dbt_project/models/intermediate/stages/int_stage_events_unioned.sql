{#- Every entry of every person into a stage, in order. What counts as evidence of each stage is
    the policy's `evidence`: revgen's computed rule (ICP fit and interest -> prospect, a lead score
    over the threshold -> lead), the marketing tool's lifecycle stages, a CRM lead's status, a
    lead converted or an opportunity created, a won deal. Backward moves are always read: a lead
    recycled (or put back into nurturing after sales worked it) or a deal lost -> prospect, a lead
    disqualified -> database. Evidence of the stage a person is already in, or of a stage they
    already passed since their last backward move, adds nothing (whichever comes first counts). A
    person is known from their record or their earliest evidence. Ties at the same moment keep the
    funnel's order (event_rank), then the source row id. -#}
{#- a column added here is added to a table built before it (append_new_columns); the changed code
    changes the build fingerprint, so that build recomputes every row, the new column too -#}
{{ config(materialized='incremental', incremental_strategy='append_totals',
    meta={'totals': re_entries_by_week()},
    on_schema_change='append_new_columns', indexes=[{'columns': ['person_id']}],
    pre_hook="{{ delete_rebuilt_people() }}", post_hook=["{{ recount_totals() }}", "{{ record_build() }}"]) }}
{{ changed_people_depends_on() }}


with people as (
    select person_id, created_at
    from {{ ref('int_people') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

qualified as (
    select contact_id, prospect_at, mql_at
    from {{ ref('int_contacts_qualified') }}
    where {{ only_rebuilt_people('contact_id', by_key=true) }}
),

resolved_contacts as (
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
    where person_id is not null and {{ only_rebuilt_people() }}
),

lifecycle_changes as (
    select change_id, contact_id, stage, changed_at
    from {{ ref('stg_marketing__lifecycle_changes') }}
    where stage is not null
),

leads as (
    select lead_id, person_id as contact_id, status, created_at, updated_at
    from {{ ref('int_leads_resolved') }}
    where person_id is not null and {{ only_rebuilt_people() }}
),

status_history as (
    -- of the rebuilt people's leads only (every use joins them to `leads`): a few thousand rows
    -- to hash and sort on a normal night, not every lead's history
    select history_id, lead_id, old_value, new_value, changed_at
    from {{ ref('stg_crm__lead_history') }}
    where field = 'status' and lead_id in (select lead_id from leads)
),

-- a lead without status history (a current-state export) tells its creation, and its status now
-- when that is a move (recycled, disqualified, converted)
leads_without_history as (
    select lead_id, status, created_at, updated_at
    from leads
    where lead_id not in (select lead_id from status_history)
),

lead_status_changes as (
    select history_id, lead_id, old_value, new_value, changed_at
    from status_history
    union all
    select
        'created:' || lead_id,
        lead_id,
        null,
        case when status = 'nurturing' then 'nurturing' else 'new' end,
        created_at
    from leads_without_history
    union all
    select 'status:' || lead_id, lead_id, 'working', status, updated_at
    from leads_without_history
    where status in ('recycled', 'disqualified', 'converted')
),

opportunities as (
    -- what makes an opportunity (policy): accepted and converted, budget confirmed if required
    select opportunity_id, lead_id, stage, created_at, closed_at
    from {{ ref('int_opportunities_resolved') }}
    where lead_id is not null
    {%- if policy()['opportunity']['require_budget'] %}
        and has_budget
    {%- endif %}
),

closings_in_history as (
    select history_id, opportunity_id, stage, changed_at
    from {{ ref('stg_crm__opportunity_history') }}
    where stage in ('won', 'lost')
),

opportunity_closings as (
    select * from closings_in_history
    union all
    -- an opportunity without a closing in its history (a current-state export): its own stage
    -- and close date
    select 'closed:' || opportunity_id, opportunity_id, stage, closed_at
    from opportunities
    where stage in ('won', 'lost') and closed_at is not null
        and opportunity_id not in (select opportunity_id from closings_in_history)
),

prospects as (
    select contact_id as person_id, 'prospect' as stage, prospect_at as entered_at,
        2 as event_rank, contact_id as event_id, 'icp_fit_and_interest' as reason
    from qualified
    where prospect_at is not null and {{ evidence_of('prospect', 'computed') }}
),

mqls as (
    select contact_id, 'lead', mql_at, 3, contact_id as event_id, 'mql_score'
    from qualified
    where mql_at is not null and {{ evidence_of('lead', 'computed') }}
),

lifecycle as (
    -- the marketing tool's own stages, for the stages whose evidence names `lifecycle`
    select
        resolved_contacts.person_id,
        lifecycle_changes.stage,
        lifecycle_changes.changed_at,
        3,
        lifecycle_changes.change_id,
        'lifecycle'
    from lifecycle_changes
    inner join resolved_contacts on lifecycle_changes.contact_id = resolved_contacts.contact_id
    where lifecycle_changes.stage in (
        {%- for stage, kinds in policy()['evidence'].items() if 'lifecycle' in kinds %}
        {{ sql_string(stage) }}{{ ", " if not loop.last }}
        {%- else %} null {%- endfor %})
),

crm_lead_entries as (
    -- a CRM lead created new or working is a lead; created in nurturing, a prospect
    select
        leads.contact_id,
        case when lead_status_changes.new_value = 'nurturing' then 'prospect' else 'lead' end,
        lead_status_changes.changed_at,
        3,
        lead_status_changes.history_id,
        'crm_lead'
    from lead_status_changes
    inner join leads on lead_status_changes.lead_id = leads.lead_id
    where lead_status_changes.old_value is null
        and (
            (lead_status_changes.new_value in ('new', 'working')
                and {{ evidence_of('lead', 'crm_lead') }})
            or (lead_status_changes.new_value = 'nurturing'
                and {{ evidence_of('prospect', 'crm_lead') }})
        )
),

lead_moves as (
    select
        leads.contact_id,
        case lead_status_changes.new_value
            when 'recycled' then 'prospect'
            when 'nurturing' then 'prospect'
            when 'new' then 'lead'
            when 'working' then 'lead'
            when 'disqualified' then 'database'
            when 'converted' then 'opportunity'
        end,
        lead_status_changes.changed_at,
        4,
        lead_status_changes.history_id,
        case
            when lead_status_changes.new_value in ('new', 'working') then 'requalified'
            when lead_status_changes.new_value = 'nurturing' then 'recycled'
            else lead_status_changes.new_value
        end
    from lead_status_changes
    inner join leads on lead_status_changes.lead_id = leads.lead_id
    where lead_status_changes.new_value in ('recycled', 'disqualified')
        -- back to nurturing after sales worked it is a recycle; nurturing from the start is not
        or (lead_status_changes.new_value = 'nurturing'
            and lead_status_changes.old_value in ('new', 'working'))
        or (lead_status_changes.new_value in ('new', 'working')
            and lead_status_changes.old_value in ('recycled', 'nurturing'))
        -- `in`, not a correlated `exists`: PostgreSQL hashes the list once instead of
        -- scanning the opportunities again for every history row
        or (lead_status_changes.new_value = 'converted'
            and {{ evidence_of('opportunity', 'lead_converted') }}
            and lead_status_changes.lead_id in (select lead_id from opportunities))
),

opportunities_created as (
    select leads.contact_id, 'opportunity', opportunities.created_at, 4,
        opportunities.opportunity_id, 'opportunity_created'
    from opportunities
    inner join leads on opportunities.lead_id = leads.lead_id
    where {{ evidence_of('opportunity', 'opportunity_created') }}
),

deal_outcomes as (
    select
        leads.contact_id,
        case opportunity_closings.stage
            when 'won' then 'customer'
            else {{ sql_string(policy()['opportunity']['lost_returns_to']) }}
        end,
        opportunity_closings.changed_at,
        5,
        opportunity_closings.history_id,
        opportunity_closings.stage
    from opportunity_closings
    inner join opportunities on opportunity_closings.opportunity_id = opportunities.opportunity_id
    inner join leads on opportunities.lead_id = leads.lead_id
    where opportunity_closings.stage = 'lost' or {{ evidence_of('customer', 'won_deal') }}
),

evidence as (
    select * from prospects
    union all
    select * from mqls
    union all
    select * from lifecycle
    union all
    select * from crm_lead_entries
    union all
    select * from lead_moves
    union all
    select * from opportunities_created
    union all
    select * from deal_outcomes
),

first_evidence as (
    select person_id, min(entered_at) as first_evidence_at
    from evidence
    group by person_id
),

-- a person is known from their own record, or from their earliest evidence when that came first
-- (a deal won before the contact was created: the record is late, not the deal)
known as (
    select
        people.person_id,
        'database' as stage,
        case
            when first_evidence.first_evidence_at < people.created_at
                then first_evidence.first_evidence_at
            else people.created_at
        end as entered_at,
        1 as event_rank,
        people.person_id as event_id,
        'known' as reason
    from people
    left join first_evidence on people.person_id = first_evidence.person_id
),

unioned as (
    select * from known
    union all
    select * from evidence
    where {{ only_rebuilt_people() }}
),

-- backward moves (recycled, disqualified, lost) start a new segment of the journey; within a
-- segment, evidence of a stage no further than one already reached is late, and adds nothing
-- (a CRM lead created after its deal was won does not make the customer a lead again)
segmented as (
    select
        unioned.*,
        {{ stage_order('stage') }} as stage_order,
        sum(case when reason in ('recycled', 'disqualified', 'lost') then 1 else 0 end) over (
            partition by person_id order by entered_at, event_rank, event_id
            rows between unbounded preceding and current row
        ) as segment
    from unioned
),

judged as (
    select
        segmented.*,
        max(stage_order) over (
            partition by person_id, segment order by entered_at, event_rank, event_id
            rows between unbounded preceding and 1 preceding
        ) as furthest_in_segment
    from segmented
),

kept as (
    select *
    from judged
    where reason in ('recycled', 'disqualified', 'lost', 'requalified')
        or furthest_in_segment is null
        or stage_order > furthest_in_segment
),

ordered as (
    select
        kept.*,
        lag(stage) over (
            partition by person_id order by entered_at, event_rank, event_id
        ) as previous_stage
    from kept
),

final as (
    select
        person_id,
        row_number() over (
            partition by person_id order by entered_at, event_rank, event_id
        ) as event_number,
        -- which entry into this stage (1: the first), in event_number's order; numbered within
        -- the person, so rebuilding some people leaves the others' numbers right
        row_number() over (
            partition by person_id, stage order by entered_at, event_rank, event_id
        ) as entry_number,
        stage,
        stage_order,
        entered_at,
        reason
    from ordered
    -- evidence of the stage the person is already in adds nothing
    where previous_stage is distinct from stage
)

select * from final
