{#- Identity, part 4: the history of which person every contact and lead record belongs to. A
    build appends a row for each record that is new, changed hands (a merge, a deletion, a lead
    matched to someone else) or is gone; incremental builds rebuild the rows of both the previous
    and the new person. Only the records int_rebuilt_members names are compared (all of them when
    the incremental models recompute everything). -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['member_key', 'changed_at']}], post_hook="{{ record_build() }}") }}

-- depends_on: {{ ref('int_rebuilt_members') }}

with members as (
    select 'contact:' || contact_id as member_key, person_id
    from {{ ref('int_contacts_resolved') }}
    where {{ only_rebuilt('contact_id', 'contact', by_key=true) }}
    union all
    select 'lead:' || lead_id, person_id
    from {{ ref('int_leads_resolved') }}
    where {{ only_rebuilt('lead_id', 'lead', by_key=true) }}
),

{% if is_incremental() %}
latest as (
    select distinct on (member_key) member_key, person_id, is_gone
    from {{ this }}
    where {{ only_rebuilt('member_key', 'member_keys', by_key=true) }}
    order by member_key asc, changed_at desc
),

changed as (
    select
        coalesce(members.member_key, latest.member_key) as member_key,
        members.person_id,
        latest.person_id as previous_person_id,
        members.member_key is null as is_gone
    from members
    full outer join latest on members.member_key = latest.member_key
    where latest.member_key is null
        or (members.member_key is null and not latest.is_gone)
        or (members.member_key is not null and latest.is_gone)
        or members.person_id is distinct from latest.person_id
),
{% else %}
changed as (
    select
        member_key,
        person_id,
        cast(null as {{ dbt.type_string() }}) as previous_person_id,
        false as is_gone
    from members
),
{% endif %}

final as (
    select member_key, person_id, previous_person_id, is_gone, now() as changed_at
    from changed
)

select * from final
