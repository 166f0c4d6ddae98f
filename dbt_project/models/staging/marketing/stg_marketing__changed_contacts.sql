{#- What snap_marketing__contact_programs is given each run: the contacts loaded since its last
    run (every contact on its first). Ephemeral: the snapshot reads it inline. -#}
{{ config(materialized='ephemeral') }}

{{ snapshot_feed('stg_marketing__contacts', 'snap_marketing__contact_programs') }}
