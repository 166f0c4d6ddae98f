{#- A raw table's live records: those a full export no longer holds are marked `_deleted_at` by
    the loader (mapping `full_export: true`) and are not read. Staging's only way to a source; the
    incremental models learn of the others by removed_rows. -#}
{% macro live_rows(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
    where _deleted_at is null
{%- endmacro %}

{#- A raw table's records a full export no longer holds, marked since `since` (the loader stamps
    `_loaded_at` when it marks one): what an incremental model built from them must go. -#}
{% macro removed_rows(source_name, table_name, since) -%}
    select * from {{ source(source_name, table_name) }}
    where _deleted_at is not null and _loaded_at >= {{ since }}
{%- endmacro %}
