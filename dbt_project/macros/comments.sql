{#- persist_docs (dbt_project.yml) writes a comment only when it differs from the one the relation
    or column holds. dbt-postgres writes every comment on every build; on a table kept
    incrementally that rewrites the same comments each night, and COMMENT waits for an autovacuum
    working on the table (the same lock) until the autovacuum is cancelled, a second later
    (deadlock_timeout). Reading a comment takes no lock. An empty description is no comment (COMMENT
    ... IS '' removes it), so it is compared as null. Overrides dbt-postgres's macros of the same
    name (the project's come first when dbt dispatches). -#}

{#- The relation's oid, as SQL (a relation of this project: its name is quoted as dbt quotes it) -#}
{% macro relation_oid(relation) -%}
    '{{ relation | replace("'", "''") }}'::regclass
{%- endmacro %}

{% macro postgres__alter_relation_comment(relation, comment) %}
  {%- set escaped_comment = postgres_escape_comment(comment) -%}
  {%- set relation_type = 'materialized view' if relation.type == 'materialized_view' else relation.type -%}
  do $revgen_comment$ begin
    if obj_description({{ relation_oid(relation) }}, 'pg_class') is distinct from nullif({{ escaped_comment }}, '') then
      comment on {{ relation_type }} {{ relation }} is {{ escaped_comment }};
    end if;
  end $revgen_comment$;
{% endmacro %}

{% macro postgres__alter_column_comment(relation, column_dict) %}
  {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
  {%- set documented = [] -%}
  {%- for column_name in column_dict if column_name in existing_columns -%}
    {%- do documented.append(column_name) -%}
  {%- endfor -%}
  {%- if documented %}
  do $revgen_comment$ begin
  {%- for column_name in documented %}
    {%- set quoted = column_dict[column_name]['quote'] %}
    {%- set escaped_comment = postgres_escape_comment(column_dict[column_name]['description']) %}
    if col_description({{ relation_oid(relation) }}, (
        select attnum from pg_attribute
        where attrelid = {{ relation_oid(relation) }}
            and attname = '{{ (column_name if quoted else column_name | lower) | replace("'", "''") }}'
    )) is distinct from nullif({{ escaped_comment }}, '') then
      comment on column {{ relation }}.{{ adapter.quote(column_name) if quoted else column_name }} is {{ escaped_comment }};
    end if;
  {%- endfor %}
  end $revgen_comment$;
  {%- endif %}
{% endmacro %}
