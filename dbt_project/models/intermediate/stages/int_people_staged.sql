{#- One row per person (a marketing contact): current stage, the stages ever reached, the owner
    the policy expects and the owner the sources name, and the owner's last touch. Incremental:
    the people int_changed_people names are rebuilt - whose records or sales activities changed,
    or whose owner changed (a user deactivated: their people become orphans). -#}
{#- enable_nestloop off, in this build's transaction only: its inputs are CTEs and freshly built
    tables without statistics, so PostgreSQL guesses a few hundred people where there are a million
    and loops over every (owner, record) pair for each of them (hours at 1M people). -#}
{#- Keeps, per source channel and lead origin, the people and how many reached lead, opportunity
    and customer, and the seconds the customers took, in int_people_staged__totals (macros/stages.sql
    people_by_source): kpi_conversion_by_source reads those instead of grouping everyone. A column
    added here is added to a table built before it (append_new_columns); the changed code changes
    the build fingerprint, so that build recomputes every row, the new column too. -#}
{{ config(materialized='incremental', incremental_strategy='append_totals',
    meta={'totals': people_by_source()},
    on_schema_change='append_new_columns',
    indexes=[{'columns': ['person_id'], 'unique': True}, {'columns': ['customer_at']}],
    pre_hook=[
        "set local enable_nestloop = off",
        "{{ delete_rebuilt_people() }}",
    ],
    post_hook=["{{ recount_totals() }}", "{{ record_build() }}"]) }}
{{ changed_people_depends_on() }}

with contacts as (
    -- people: surviving contact records and leads no contact claims (int_people)
    select
        person_id as contact_id,
        nurture_program_id,
        created_at,
        -- PII: a keyed hash (HMAC-SHA256, key in revgen_meta) stands in for the email downstream
        revgen_meta.pii_hash(email) as email_hash
    from {{ ref('int_people') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

qualified as (
    select contact_id, is_icp_fit, prospect_at, mql_at
    from {{ ref('int_contacts_qualified') }}
    where {{ only_rebuilt_people('contact_id', by_key=true) }}
),

leads as (
    select lead_id, person_id as contact_id, owner_id, status, created_at, updated_at
    from {{ ref('int_leads_resolved') }}
    where {{ only_rebuilt_people() }}
),

opportunities as (
    -- new business only: expansion deals belong to the account, not to a person's stage
    select opportunity_id, account_id, lead_id, owner_id, stage, created_at, closed_at
    from {{ ref('int_opportunities_resolved') }}
    where lead_id is not null
),

accounts as (
    select account_id, owner_id
    from {{ ref('stg_crm__accounts') }}
),

users as (
    select user_id, user_name, team, is_active, deactivated_at
    from {{ ref('stg_crm__users') }}
),

programs as (
    select program_id, program_name, is_active
    from {{ ref('stg_marketing__nurture_programs') }}
),

activities as (
    -- the touches of the rebuilt people's leads and deals
    select owner_id, lead_id, opportunity_id, person_id, started_at
    from {{ ref('int_activities_resolved') }}
    -- not through the CTEs: one more reference would have PostgreSQL materialize them, without
    -- statistics, and misplan the full build (`true or ...` is folded away there)
    where {{ only_rebuilt_people() }}
        or opportunity_id in (
            select opportunity_id
            from {{ ref('int_opportunities_resolved') }}
            where lead_id in (
                select lead_id from {{ ref('int_leads_resolved') }}
                where {{ only_rebuilt_people() }}
            )
        )
),

sources as (
    select person_id, source_channel, lead_origin
    from {{ ref('int_people_sources') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

stage_events as (
    select person_id, event_number, stage, stage_order, entered_at
    from {{ ref('int_stage_events_unioned') }}
    where {{ only_rebuilt_people(by_key=true) }}
),

furthest_stages as (
    -- the furthest stage each person ever entered, whatever the evidence; when they were first
    -- known and first a customer
    select
        person_id,
        max(stage_order) as furthest_stage_order,
        min(case when stage = 'database' then entered_at end) as known_at,
        min(case when stage = 'customer' then entered_at end) as customer_at
    from stage_events
    group by person_id
),

-- "the latest row per key" is written `distinct on`: PostgreSQL estimates its row count well,
-- where a filtered row_number() misleads the planner into nested loops over 100,000s of rows
current_stages as (
    -- a person's stage is the stage of their latest entry (one definition: the event log)
    select distinct on (person_id)
        person_id, stage as current_stage, entered_at as stage_entered_at
    from stage_events
    order by person_id asc, event_number desc
),

latest_leads as (
    select distinct on (contact_id) *
    from leads
    where contact_id is not null
    order by contact_id asc, created_at desc, lead_id desc
),

-- a person's deals, whichever of their leads each came from: a newer lead (a new inbound, a
-- merge) never hides an open opportunity or its owner
person_opportunities as (
    select leads.contact_id as person_id, opportunities.*
    from opportunities
    inner join leads on opportunities.lead_id = leads.lead_id
    where leads.contact_id is not null
),

latest_opportunities as (
    -- the open opportunity while one exists, else the latest
    select distinct on (person_id) *
    from person_opportunities
    order by person_id asc, stage not in ('won', 'lost') desc, created_at desc, opportunity_id desc
),

latest_won as (
    -- the latest won deal of each person (none when stage is not won): ordered, not filtered,
    -- so the planner sees one row per person and hash-joins (a filter on stage made it guess a
    -- handful and loop over every won deal for every person)
    select distinct on (person_id)
        person_id,
        case when stage = 'won' then opportunity_id end as opportunity_id,
        case when stage = 'won' then account_id end as account_id,
        case when stage = 'won' then owner_id end as owner_id
    from person_opportunities
    order by person_id asc, stage = 'won' desc, closed_at desc, opportunity_id desc
),

joined as (
    select
        contacts.contact_id as person_id,
        contacts.email_hash,
        contacts.created_at,
        contacts.nurture_program_id,
        qualified.is_icp_fit,
        qualified.prospect_at,
        qualified.mql_at,
        latest_leads.lead_id,
        latest_leads.status as lead_status,
        latest_leads.owner_id as lead_owner_id,
        lead_owners.team as lead_owner_team,
        latest_opportunities.opportunity_id as latest_opportunity_id,
        latest_opportunities.stage as latest_opportunity_stage,
        latest_opportunities.owner_id as latest_opportunity_owner_id,
        latest_opportunities.created_at as latest_opportunity_created_at,
        latest_opportunities.closed_at as latest_opportunity_closed_at,
        latest_won.opportunity_id as won_opportunity_id,
        latest_won.owner_id as won_opportunity_owner_id,
        accounts.owner_id as account_owner_id
    from contacts
    left join qualified on contacts.contact_id = qualified.contact_id
    left join latest_leads on contacts.contact_id = latest_leads.contact_id
    left join latest_opportunities on contacts.contact_id = latest_opportunities.person_id
    left join latest_won on contacts.contact_id = latest_won.person_id
    left join accounts on latest_won.account_id = accounts.account_id
    left join users as lead_owners on latest_leads.owner_id = lead_owners.user_id
),

staged as (
    select
        joined.*,
        current_stages.current_stage,
        current_stages.stage_entered_at,
        furthest_stages.furthest_stage_order,
        furthest_stages.known_at,
        furthest_stages.customer_at
    from joined
    inner join current_stages on joined.person_id = current_stages.person_id
    inner join furthest_stages on joined.person_id = furthest_stages.person_id
),

-- who owns a person in each open stage: the policy's owner kinds, the first that names someone
owned as (
    select
        staged.*,
        case current_stage
        {%- for stage, kinds in policy()['owners'].items() %}
            when {{ sql_string(stage) }} then case
            {%- for kind in kinds %}
                when {{ owner_kind(kind)[1] }} is not null then {{ sql_string(owner_kind(kind)[0]) }}
            {%- endfor %}
                else {{ sql_string(owner_kind(kinds[0])[0]) }}
            end
        {%- endfor %}
        end as owner_type,
        case current_stage
        {%- for stage, kinds in policy()['owners'].items() %}
            when {{ sql_string(stage) }} then coalesce(
            {%- for kind in kinds %}{{ owner_kind(kind)[1] }}{{ ", " if not loop.last }}{% endfor %}, null)
        {%- endfor %}
        end as owner_id,
        case current_stage
        {%- for stage, kinds in policy()['owners'].items() %}
            when {{ sql_string(stage) }} then case
            {%- for kind in kinds %}
                when {{ owner_kind(kind)[1] }} is not null then {{ owner_kind(kind)[2] }}
            {%- endfor %}
            end
        {%- endfor %}
        end as owned_record_id
    from staged
),

-- an owner's touches of the record they own (its lead or opportunity); an activity that names
-- only a CRM contact counts for the contact's person
last_touches as (
    select owner_id, coalesce(opportunity_id, lead_id) as record_id, max(started_at) as last_touch_at
    from activities
    where coalesce(opportunity_id, lead_id) is not null
    group by owner_id, coalesce(opportunity_id, lead_id)
),

last_person_touches as (
    select owner_id, person_id, max(started_at) as last_touch_at
    from activities
    where opportunity_id is null and lead_id is null and person_id is not null
    group by owner_id, person_id
),

final as (
    select
        owned.person_id,
        owned.email_hash,
        owned.created_at,
        owned.is_icp_fit,
        owned.prospect_at,
        owned.mql_at,
        owned.current_stage,
        {{ stage_order('owned.current_stage') }} as stage_order,
        owned.stage_entered_at,
        owned.lead_id,
        owned.lead_status,
        owned.latest_opportunity_id as opportunity_id,
        owned.latest_opportunity_stage as opportunity_stage,
        owned.owner_type,
        owned.owner_id,
        coalesce(users.user_name, programs.program_name) as owner_name,
        case
            when owned.owner_type = 'program' and programs.program_id is not null then 'marketing'
            else users.team
        end as owner_team,
        {{ stage_owner_team('owned.current_stage') }} as expected_owner_team,
        case
            when owned.owner_type = 'program' then programs.is_active
            else users.is_active
        end as owner_is_active,
        users.deactivated_at as owner_deactivated_at,
        owned.known_at,
        owned.customer_at,
        greatest(last_touches.last_touch_at, last_person_touches.last_touch_at)
            as last_owner_touch_at,
        case when owned.prospect_at is not null or owned.lead_id is not null
            or owned.furthest_stage_order >= {{ stage_position('prospect') }} then true else false end
            as has_reached_prospect,
        case when owned.mql_at is not null or owned.lead_id is not null
            or owned.furthest_stage_order >= {{ stage_position('lead') }} then true else false end
            as has_reached_lead,
        case when owned.latest_opportunity_id is not null
            or owned.furthest_stage_order >= {{ stage_position('opportunity') }} then true else false end
            as has_reached_opportunity,
        case when owned.won_opportunity_id is not null
            or owned.furthest_stage_order >= {{ stage_position('customer') }} then true else false end
            as has_reached_customer,
        -- where they came from (int_people_sources), 'unknown' when nothing says; last, where
        -- append_new_columns puts them in a table built before they were added
        coalesce(sources.source_channel, 'unknown') as source_channel,
        coalesce(sources.lead_origin, 'unknown') as lead_origin
    from owned
    left join users on owned.owner_type = 'user' and owned.owner_id = users.user_id
    left join programs on owned.owner_type = 'program' and owned.owner_id = programs.program_id
    left join last_touches
        on owned.owner_id = last_touches.owner_id
        and owned.owned_record_id = last_touches.record_id
    left join last_person_touches
        on owned.owner_id = last_person_touches.owner_id
        and owned.person_id = last_person_touches.person_id
    left join sources on owned.person_id = sources.person_id
)

select * from final
