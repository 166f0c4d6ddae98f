{#- A raw table's live records: those a full export no longer holds are marked `_deleted_at` by
    the loader (mapping `full_export: true`) and are not read. Staging's only way to a source. -#}
{% macro live_rows(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
    where _deleted_at is null
{%- endmacro %}
