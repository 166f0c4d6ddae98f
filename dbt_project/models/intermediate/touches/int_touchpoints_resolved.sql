{#- Identity, part 3: every touchpoint with the person it belongs to (null: anonymous, or a
    deleted record). Incremental: touchpoints loaded since the last build, and those of contacts
    that changed hands, are (re)written; those a full export no longer holds are deleted. -#}
{{ config(materialized='incremental', unique_key='touchpoint_id',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['touchpoint_id'], 'unique': True},
        {'columns': ['person_id', 'visitor_id']}, {'columns': ['contact_id']}],
    pre_hook="{{ delete_removed_records('touchpoint_id', 'marketing', 'touchpoints') }}",
    post_hook="{{ record_build() }}") }}
{%- set since = incremental_since() %}
-- depends_on: {{ ref('int_person_members') }}
-- what this build replaces is read first: {{ ref('int_touchpoints_replaced') }}

with touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
    {%- if since is not none %}
    -- two lookups, each by an index (the raw table's _loaded_at, this table's contact_id), where
    -- one filter with `or` would read every touchpoint
    where _loaded_at >= {{ since }}
    union
    select * from {{ ref('stg_marketing__touchpoints') }}
    where touchpoint_id in (
        select touchpoint_id from {{ this }}
        where contact_id in ({{ rehomed_records('contact', since) }})
    )
    {%- endif %}
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
)

select * from final
