{#- What snap_crm__leads is given each run: the leads loaded since its last run (every lead on
    its first). Ephemeral: the snapshot reads it inline. -#}
{{ config(materialized='ephemeral') }}

{{ snapshot_feed('stg_crm__leads', 'snap_crm__leads') }}
