{#- Each campaign's reach, kept per person and per anonymous visitor: a known person's touches and
    whether any shows interest (the policy's interest touch types); a visitor's anonymous touches
    (visitor_id null: the anonymous touches with no visitor, a row per campaign). What
    kpi_campaign_attribution sums, so that a night reads a million people's reach without
    grouping every touchpoint again. Incremental: the people int_changed_people names, and the
    visitors whose anonymous touches may have changed (macro reach_rebuilt_visitors), are rebuilt;
    touches with no visitor are recounted every build. Its totals per campaign
    (int_campaign_reach__totals, macro campaign_reach_totals) are kept by the rows it deletes and
    inserts (macros/totals.sql). -#}
{%- set since = incremental_since() %}
{{ config(materialized='incremental', incremental_strategy='append_totals',
    meta={'totals': campaign_reach_totals()},
    indexes=[{'columns': ['person_id', 'visitor_id']}],
    pre_hook=["{{ delete_rebuilt_people() }}", "{{ delete_rebuilt_visitors() }}"],
    post_hook=["{{ recount_totals() }}", "{{ record_build() }}"]) }}
{{ changed_people_depends_on() }}
-- depends_on: {{ ref('int_touchpoints_replaced') }}, {{ ref('stg_marketing__touchpoints') }}, {{ ref('int_person_members') }}

with people as (
    select
        campaign_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as visitor_id,
        count(*) as touches,
        max(case
            when touch_type in {{ sql_list(policy()['interest']['touch_types']) }} then 1
            else 0
        end) as is_engaged
    from {{ ref('int_touchpoints_resolved') }}
    where person_id is not null and {{ only_rebuilt_people(by_key=true) }}
    group by campaign_id, person_id
),

visitors as (
    select
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        visitor_id,
        count(*) as touches,
        0 as is_engaged
    from {{ ref('int_touchpoints_resolved') }}
    where {{ rebuilt_visitors_condition(since) if since is not none else 'person_id is null' }}
    group by campaign_id, visitor_id
)

select * from people
union all
select * from visitors
