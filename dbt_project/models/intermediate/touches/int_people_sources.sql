{#- Per person: where they came from. The campaign and channel of their first known touch; when
    no touch is known, the channel their CRM lead names (its lead source) - exports without a
    campaigns table still have channels. And how their first lead was created (its origin).
    Incremental: the people int_changed_people names are rebuilt. -#}
{#- enable_mergejoin off when the build rebuilds only the changed people (when_rebuilding_some):
    PostgreSQL would merge them with the touchpoints' person index and walk millions of its
    entries (1.9 s for 20k people of 1M) instead of looking each person up (0.2 s). -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['person_id'], 'unique': True}],
    pre_hook=[
        "{{ when_rebuilding_some('set local enable_mergejoin = off') }}",
        "{{ delete_rebuilt_people() }}",
    ],
    post_hook="{{ record_build() }}") }}
{{ changed_people_depends_on() }}

with touchpoints as (
    select person_id, campaign_id, channel, touched_at, touchpoint_id
    from {{ ref('int_touchpoints_resolved') }}
    where person_id is not null and {{ only_rebuilt_people(by_key=true) }}
),

leads as (
    select person_id, channel, origin, created_at, lead_id
    from {{ ref('int_leads_resolved') }}
    where person_id is not null and {{ only_rebuilt_people() }}
),

first_touches as (
    select distinct on (person_id)
        person_id, campaign_id, channel
    from touchpoints
    order by person_id, touched_at, touchpoint_id
),

first_leads as (
    select distinct on (person_id)
        person_id, channel, origin
    from leads
    order by person_id, created_at, lead_id
),

people as (
    select person_id from first_touches
    union
    select person_id from first_leads
),

final as (
    select
        people.person_id,
        first_touches.campaign_id as source_campaign_id,
        coalesce(first_touches.channel, first_leads.channel) as source_channel,
        first_leads.origin as lead_origin
    from people
    left join first_touches on people.person_id = first_touches.person_id
    left join first_leads on people.person_id = first_leads.person_id
)

select * from final
