{#- What snap_marketing__contact_programs is given each run: the contacts loaded since its last
    run (every contact on its first). Ephemeral: the snapshot reads it inline. -#}
{{ config(materialized='ephemeral') }}

with contacts as (
    select * from {{ ref('stg_marketing__contacts') }}
),

changed as (
    select * from contacts
    where {{ loaded_since_snapshot('snap_marketing__contact_programs') }}
)

select * from changed
