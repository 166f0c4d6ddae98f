{#- Totals kept beside an incremental table, so that a mart reads a handful of group sums instead
    of grouping every row of the table again each night. A model declares them in its config,
    `meta={'totals': {'group_by': {name: expression}, 'sums': {name: expression}}}`: the table
    `<model>__totals` holds, per group (the values of the `group_by` expressions; a group with a
    null has no row: no join matches it), each sum's `name` = the sum of its `expression` over the
    model's rows (0 when every value is null), as numeric (exact: no rounding, whatever the order
    rows come and go in). The expressions must not depend on the session (its time zone is UTC:
    revgen/dbt.py), so that a row deleted tomorrow is subtracted from the group it was added to.

    In an incremental window (totals_kept) the totals follow the rows in the same transaction:
    delete_rows subtracts the rows it deletes (one statement, `delete ... returning`), and the
    model's strategy `append_totals` adds the rows it inserts: every delete of such a model goes
    through delete_rows (delete_rebuilt does). Otherwise (a first build, a full refresh, changed
    code or policy, totals missing) the post-hook recount_totals counts them again from the whole
    table. A model's config lists recount_totals before record_build, which records the window the
    next build starts from. -#}

{% macro totals_relation(relation) -%}
    {{ return(api.Relation.create(database=relation.database, schema=relation.schema,
        identifier=relation.identifier ~ '__totals', type='table')) }}
{%- endmacro %}

{% macro totals_spec() -%}
    {{ return((config.get('meta') or {}).get('totals')) }}
{%- endmacro %}

{#- Whether this build keeps the model's totals by deltas: it declares totals, builds an
    incremental window, and the totals exist (else they are counted again after the build). -#}
{% macro totals_kept() -%}
    {%- if not execute or totals_spec() is none or incremental_since() is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set totals = totals_relation(this) -%}
    {{ return(adapter.get_relation(totals.database, totals.schema, totals.identifier) is not none) }}
{%- endmacro %}

{#- The sums of `rows` (a relation, or a CTE's name) per group, as a select. -#}
{% macro totals_select(rows, spec, sign=1) -%}
    select
        {%- for name, expression in spec['group_by'].items() %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        {%- for name, expression in spec['sums'].items() %}
        {{ '-' if sign < 0 }}cast(coalesce(sum({{ expression }}), 0) as numeric) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ rows }}
    where {% for expression in spec['group_by'].values() %}{{ expression }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {% for name in spec['group_by'] %}{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}

{#- Adds `sign` x the sums of `rows` to the totals (a group seen for the first time starts at 0). -#}
{% macro add_to_totals(rows, sign) -%}
    {%- set spec = totals_spec() -%}
    {%- set groups = spec['group_by'].keys() | list -%}
    insert into {{ totals_relation(this) }} as totals
    ({{ (groups + (spec['sums'].keys() | list)) | join(', ') }})
    {{ totals_select(rows, spec, sign) }}
    on conflict ({{ groups | join(', ') }}) do update set
    {%- for name in spec['sums'] %}
        {{ name }} = totals.{{ name }} + excluded.{{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Deletes this model's rows where `condition` holds; when its totals are kept, subtracts them in
    the same statement. -#}
{% macro delete_rows(condition) -%}
    {%- if totals_kept() -%}
        with deleted as (
            delete from {{ this }} where {{ condition }}
            returning *
        )
        {{ add_to_totals('deleted', -1) }}
    {%- else -%}
        delete from {{ this }} where {{ condition }}
    {%- endif -%}
{%- endmacro %}

{#- The incremental strategy of a model with totals: append the new rows (dbt's append), then add
    them to the totals when they are kept. -#}
{% macro get_incremental_append_totals_sql(arg_dict) -%}
    {{ get_incremental_append_sql(arg_dict) }}
    {%- if totals_kept() %};
    {{ add_to_totals(arg_dict['temp_relation'], 1) }}
    {%- endif %}
{%- endmacro %}

{#- Post-hook of a model with totals (before record_build): count them again from the whole
    table when this build did not keep them. -#}
{% macro recount_totals() -%}
    {%- set spec = totals_spec() -%}
    {%- if not execute or spec is none or totals_kept() -%}
        select 1
    {%- else -%}
        {%- set totals = totals_relation(this) -%}
        drop table if exists {{ totals }};
        create table {{ totals }} as
        {{ totals_select(this, spec) }};
        alter table {{ totals }} add primary key ({{ spec['group_by'].keys() | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- What a mart reads of the totals of `relation` (a ref to a model declaring `spec`): the kept
    table; under a unit test, which gives the model's rows, the same sums counted from them. -#}
{% macro totals_of(relation, spec) -%}
    {%- if model.resource_type == 'unit_test' -%}
    ({{ totals_select(relation, spec) }}) as counted_totals
    {%- else -%}
    {{ totals_relation(relation) }}
    {%- endif -%}
{%- endmacro %}
