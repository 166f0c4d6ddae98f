{#- Identity, part 1: every marketing contact record -> the person it belongs to. A merged record
    belongs to the contact it was merged into (chains of two merges followed); a deleted record,
    or one merged into a deleted record, belongs to nobody. A person is a surviving contact. -#}

-- not materialized: read three times, a materialized CTE has no statistics and the planner
-- sorts its guess of billions of rows (minutes at 1M contacts, instead of seconds)
with contacts as not materialized (
    select contact_id, merged_into_id, is_deleted
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
        case when contacts.merged_into_id is not null then true else false end as is_merged
    from contacts
    left join contacts as survivor on contacts.merged_into_id = survivor.contact_id
    left join contacts as final_survivor on survivor.merged_into_id = final_survivor.contact_id
)

select * from resolved
