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

-- not materialized: each read below looks its records up by the raw table's primary key
with contacts as not materialized (
    select contact_id, merged_into_id, is_deleted, email, created_at
    from {{ ref('stg_marketing__contacts') }}
),

records as (
    select contact_id, merged_into_id, is_deleted, email, created_at
    from contacts
    where {{ only_rebuilt('contact_id', 'contact', by_key=true) }}
),

-- the records they were merged into, and what those were merged into (looked up by key: a join
-- to the staging view would scan every contact, the view's outer-joined columns cannot be
-- looked up through it)
survivors as (
    select contact_id, merged_into_id, is_deleted
    from contacts
    where contact_id = any(array(
        select merged_into_id from records where merged_into_id is not null
    ))
),

final_survivors as (
    select contact_id, is_deleted
    from contacts
    where contact_id = any(array(
        select merged_into_id from survivors where merged_into_id is not null
    ))
),

resolved as (
    select
        records.contact_id,
        {{ person_key("""case
            when records.is_deleted then null
            when records.merged_into_id is null then records.contact_id
            when survivor.is_deleted then null
            when survivor.merged_into_id is null then survivor.contact_id
            when final_survivor.is_deleted then null
            else final_survivor.contact_id
        end""") }} as person_id,
        case when records.merged_into_id is not null then true else false end as is_merged,
        records.merged_into_id,
        records.email,
        records.created_at
    from records
    left join survivors as survivor on records.merged_into_id = survivor.contact_id
    left join final_survivors as final_survivor
        on survivor.merged_into_id = final_survivor.contact_id
)

select * from resolved
