{#- Identity, part 1: every marketing contact record -> the person it belongs to. A merged record
    belongs to the contact it was merged into (chains of two merges followed); a deleted record,
    or one merged into a deleted record, belongs to nobody. A person is a surviving contact. Kept
    with what the other identity models look records up by: the record's merge, address and
    creation. Incremental: the contacts int_rebuilt_members names are rebuilt; contact_id is unique
    by the model's unique index. -#}
{{ config(materialized='incremental', incremental_strategy='append',
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['contact_id'], 'unique': True},
        {'columns': ['merged_into_id']},
        {'columns': ['email']},
    ],
    pre_hook="{{ delete_rebuilt('contact_id', 'contact') }}",
    post_hook="{{ record_build() }}") }}
-- depends_on: {{ ref('int_rebuilt_members') }}

-- not materialized: read three times, a materialized CTE has no statistics and the planner
-- sorts its guess of billions of rows (minutes at 1M contacts, instead of seconds)
with contacts as not materialized (
    select contact_id, merged_into_id, is_deleted, email, created_at
    from {{ ref('stg_marketing__contacts') }}
),

resolved as (
    select
        contacts.contact_id,
        {{ person_key("""case
            when contacts.is_deleted then null
            when contacts.merged_into_id is null then contacts.contact_id
            when survivor.is_deleted then null
            when survivor.merged_into_id is null then survivor.contact_id
            when final_survivor.is_deleted then null
            else final_survivor.contact_id
        end""") }} as person_id,
        case when contacts.merged_into_id is not null then true else false end as is_merged,
        contacts.merged_into_id,
        contacts.email,
        contacts.created_at
    from contacts
    left join contacts as survivor on contacts.merged_into_id = survivor.contact_id
    left join contacts as final_survivor on survivor.merged_into_id = final_survivor.contact_id
    where {{ only_rebuilt('contacts.contact_id', 'contact') }}
)

select * from resolved
