{#- What snap_crm__leads is given each run: the leads loaded since its last run (every lead on
    its first). Ephemeral: the snapshot reads it inline. -#}
{{ config(materialized='ephemeral') }}

with leads as (
    select * from {{ ref('stg_crm__leads') }}
),

changed as (
    select * from leads
    where {{ loaded_since_snapshot('snap_crm__leads') }}
)

select * from changed
