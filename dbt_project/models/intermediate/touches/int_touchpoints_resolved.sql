{#- Identity, part 3: every touchpoint with the person it belongs to (null: anonymous, or a
    deleted record). Incremental: touchpoints loaded since the last build, and those of contacts
    that changed hands, are (re)written. -#}
{{ config(materialized='incremental', unique_key='touchpoint_id',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['touchpoint_id'], 'unique': True}, {'columns': ['person_id']}],
    post_hook="{{ record_build() }}") }}
{%- set since = incremental_since() %}
-- depends_on: {{ ref('int_person_members') }}

with touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

resolved_contacts as (
    select contact_id, person_id
    from {{ ref('int_contacts_resolved') }}
),

final as (
    select
        touchpoints.*,
        resolved_contacts.person_id
    from touchpoints
    left join resolved_contacts on touchpoints.contact_id = resolved_contacts.contact_id
    {%- if since is not none %}
    where touchpoints._loaded_at >= {{ since }}
        or touchpoints.contact_id in ({{ rehomed_records('contact', since) }})
    {%- endif %}
)

select * from final
