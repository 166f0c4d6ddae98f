{#- The history of the owners a person's row reads (CRM users, nurture programs, accounts and
    their owners): a build appends a row for each owner that is new, changed (deactivated,
    renamed, moved to another team, an account handed to another rep) or is gone. An owner that
    changed rebuilds the people it owns though they did not change (int_changed_people). -#}
{{ config(materialized='incremental', incremental_strategy='append',
    indexes=[{'columns': ['owner_key', 'changed_at']}], post_hook="{{ record_build() }}") }}

-- a version is a hash of the whole record, so a column a person's row reads later is covered too
with users as (
    select 'user:' || user_id as owner_key, md5(cast(users as {{ dbt.type_string() }})) as version
    from {{ ref('stg_crm__users') }} as users
),

programs as (
    select
        'program:' || program_id as owner_key,
        md5(cast(programs as {{ dbt.type_string() }})) as version
    from {{ ref('stg_marketing__nurture_programs') }} as programs
),

accounts as (
    select
        'account:' || account_id as owner_key,
        md5(cast(accounts as {{ dbt.type_string() }})) as version
    from {{ ref('stg_crm__accounts') }} as accounts
),

owners as (
    select * from users
    union all
    select * from programs
    union all
    select * from accounts
),

{% if is_incremental() %}
latest as (
    select distinct on (owner_key) owner_key, version
    from {{ this }}
    order by owner_key asc, changed_at desc
),

changed as (
    -- a gone owner is kept with a null version
    select coalesce(owners.owner_key, latest.owner_key) as owner_key, owners.version
    from owners
    full outer join latest on owners.owner_key = latest.owner_key
    where owners.version is distinct from latest.version
),
{% else %}
changed as (
    select owner_key, version from owners
),
{% endif %}

final as (
    select owner_key, version, now() as changed_at
    from changed
)

select * from final
