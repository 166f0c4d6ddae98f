{#- Incremental builds of the large models (and the snapshots' feeds). Each records, in the same
    transaction as its rows, when its build started and a fingerprint of the policy, of the key
    that hashes emails and of the project's code (revgen_meta.model_builds). The next build
    rebuilds what was loaded since then, minus a lookback (var lookback_hours) for loads still in
    flight, and the people those rows belong to; everything else is kept. Without a matching
    record (first build, a changed policy or key, changed code) the model recomputes
    everything, so a build is always complete, and `dbt build --full-refresh` gives the same
    tables. -#}

{#- The build's fingerprint, as SQL: revgen computes it once per dbt call from the policy, the key
    that hashes emails and the project's code, macros included (revgen/dbt.py build_fingerprint),
    and hands it to every connection as the setting revgen.build_fingerprint. Null when dbt runs
    without it (not through revgen): no recorded build matches, so everything is recomputed. -#}
{% macro build_fingerprint() -%}
    nullif(current_setting('revgen.build_fingerprint', true), '')
{%- endmacro %}

{#- The earliest recorded build start with this fingerprint (of `relation` when given), minus
    the lookback, as a SQL timestamp; none when there is no such record. One query: revgen makes
    revgen_meta.model_builds before every dbt call (revgen/dbt.py), and record_build writes it. -#}
{% macro recorded_build_start(relation=none) -%}
    {%- set found = run_query(
        "select to_char((min(started_at) - interval '" ~ var('lookback_hours') ~ " hours') "
        ~ "at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') "
        ~ "from revgen_meta.model_builds where fingerprint = " ~ build_fingerprint()
        ~ (" and relation = '" ~ relation ~ "'" if relation is not none else "")) -%}
    {%- set value = found.columns[0].values()[0] -%}
    {{ return(none if value is none else "cast('" ~ value ~ "' as timestamp with time zone)") }}
{%- endmacro %}

{#- The start of this model's window as a SQL timestamp, or none: recompute everything. -#}
{% macro incremental_since() -%}
    {#- a unit test builds from its given rows only, never incrementally -#}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(recorded_build_start(this)) }}
{%- endmacro %}

{#- Post-hook of every incremental model: remember when this build started (the transaction's
    start, before any row was read) and with which policy and code. -#}
{% macro record_build() -%}
    {#- revgen_meta.model_builds is declared with the rest of revgen_meta (revgen/meta.py) and made
        before every build (revgen/dbt.py) -#}
    insert into revgen_meta.model_builds (relation, started_at, fingerprint)
    values ('{{ this }}', now(), coalesce({{ build_fingerprint() }}, ''))
    on conflict (relation) do update
        set started_at = excluded.started_at, fingerprint = excluded.fingerprint
{%- endmacro %}

{#- The ids of the `kind` records (contact, lead) that changed hands since `since`. -#}
{% macro rehomed_records(kind, since) -%}
    select substr(member_key, {{ kind | length + 2 }})
    from {{ ref('int_person_members') }}
    where member_key like '{{ kind }}:%' and changed_at >= {{ since }}
{%- endmacro %}

{#- The window of int_changed_people: from the oldest recorded build of any incremental model
    (with this fingerprint), so it covers the window of each of them. -#}
{% macro changed_people_since() -%}
    {#- a full refresh rebuilds every incremental model whole: nobody to pick out -#}
    {%- if not execute or flags.FULL_REFRESH -%}{{ return(none) }}{%- endif -%}
    {{ return(recorded_build_start()) }}
{%- endmacro %}

{#- What an incremental build rebuilds, as a query of ids, by name: `people` (int_changed_people),
    `contact` and `lead` (the records int_rebuilt_members names), `member_people` (the people whose
    id is one of those records: a surviving contact's, a lead-only person's), `member_keys` (those
    records as int_person_members keys them). -#}
{% macro rebuilt_ids(name) -%}
    {%- if name == 'people' -%}
    select person_id from {{ ref('int_changed_people') }}
    {%- elif name in ('contact', 'lead') -%}
    select record_id from {{ ref('int_rebuilt_members') }} where member_kind = '{{ name }}'
    {%- elif name == 'member_people' -%}
    select {{ person_key('record_id') }} from {{ ref('int_rebuilt_members') }}
    where member_kind = 'contact'
    union all
    select {{ person_key("'lead:' || record_id") }} from {{ ref('int_rebuilt_members') }}
    where member_kind = 'lead'
    {%- elif name == 'member_keys' -%}
    select member_kind || ':' || record_id from {{ ref('int_rebuilt_members') }}
    {%- else -%}
    {{ exceptions.raise_compiler_error('rebuilt_ids: no set named ' ~ name) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the models kept per person or per identity record: a build deletes the rows whose
    `column` is among the ids `rebuilt` names (rebuilt_ids) and inserts theirs again, in one
    transaction; all rows when it recomputes everything. With `nobody`, the rows of no one (a null
    `column`) are rebuilt every time too. `column` must be indexed (each such model declares the
    index): the delete looks the rows up by it. A model's kept totals lose what it deletes
    (delete_rows, macros/totals.sql). -#}
{% macro delete_rebuilt(column, rebuilt, nobody=false) -%}
    {%- if is_incremental() -%}
        -- by key: an index scan for the few rebuilt, never a scan of every row
        {{ delete_rows(only_rebuilt(column, rebuilt, nobody, by_key=true)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The row filter that goes with delete_rebuilt: `column` among the ids `rebuilt` names (and,
    with `nobody`, null); true when the model recomputes everything. `by_key`: `column` is an
    indexed key of the table it is read from (a raw table's primary key), and the filter looks the
    few rebuilt up in that index (= any(array)) instead of joining them to every row (a semi-join
    PostgreSQL plans as a scan of the whole table); never on a column without an index, where each
    row would be searched for in the array. -#}
{% macro only_rebuilt(column, rebuilt, nobody=false, by_key=false) -%}
    {%- set since = incremental_since() -%}
    {%- if since is not none -%}
        {%- if nobody %}({% endif -%}
        {%- if by_key -%}
        {{ column }} = any(array({{ rebuilt_ids(rebuilt) }}))
        {%- else -%}
        {{ column }} in ({{ rebuilt_ids(rebuilt) }})
        {%- endif -%}
        {%- if nobody %} or {{ column }} is null){% endif %}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Config of the models kept per person: delete_rebuilt of the people int_changed_people names. -#}
{% macro delete_rebuilt_people(column='person_id', nobody=false) -%}
    {{ delete_rebuilt(column, 'people', nobody) }}
{%- endmacro %}

{#- Pre-hook of the models kept per source record (delete+insert on `key`): a build deletes the
    rows of the records a full export no longer holds (all rows when it recomputes everything, as
    it inserts every live record again). -#}
{% macro delete_removed_records(key, source_name, table_name) -%}
    {%- if is_incremental() -%}
        {%- set since = incremental_since() -%}
        delete from {{ this }}
        {%- if since is not none %}
        where {{ key }} in (
            select {{ key }} from ({{ removed_rows(source_name, table_name, since) }}) as removed
        )
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the models of replaced records (int_touchpoints_replaced, int_activities_replaced):
    forget what no recorded build can need any more. -#}
{% macro forget_replaced() -%}
    {%- if is_incremental() -%}
        {%- set since = changed_people_since() -%}
        delete from {{ this }}
        {%- if since is not none %}
        where replaced_at < {{ since }}
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The rows of `resolved` an incremental build rewrites or deletes, as they were before it:
    `key` and `columns` of each, stamped with the build (replaced_at). The caller block, given the
    window's start, is the condition naming the rewritten rows. Empty on a first or full build, with
    the same columns (text). `resolved` is looked up, not ref'd: it `-- depends_on` the model, so it
    is read here before its rewrite. -#}
{% macro replaced_records(resolved, key, columns) -%}
    {%- set since = changed_people_since() -%}
    {%- set before = adapter.get_relation(this.database, this.schema, resolved) if execute else none -%}
    {%- if since is not none and before is not none %}
select
    {%- for column in [key] + columns %}
    before.{{ column }},
    {%- endfor %}
    now() as replaced_at
from {{ before }} as before
where {{ caller(since) }}
    {%- else %}
select
    {%- for column in [key] + columns %}
    cast(null as {{ dbt.type_string() }}) as {{ column }},
    {%- endfor %}
    cast(null as timestamp with time zone) as replaced_at
where false
    {%- endif %}
{%- endmacro %}

{#- A snapshot's feed (an ephemeral staging model): of `model`, the columns the snapshot records -
    its unique key, the columns it checks and the record's own `updated_at` (so each run compares
    and keeps narrow rows, and no other field, an email or a name, is copied into the history) - of
    the rows loaded since the snapshot's last recorded run with this fingerprint, minus the
    lookback; every row on its first run, after a new policy, key or model code, and on a full
    refresh. A `check` snapshot leaves the rows it is not given as they are (hard_deletes
    'ignore'), and a row whose checked columns changed was loaded again, so the history recorded is
    the one a feed of every row records. Each snapshot run is recorded (record_build,
    dbt_project.yml). -#}
{% macro snapshot_feed(model, snapshot_name) -%}
    {%- set since = none -%}
    {%- set columns = ['*'] -%}
    {%- if execute -%}
        {%- set node = graph.nodes.get('snapshot.' ~ project_name ~ '.' ~ snapshot_name) -%}
        {%- if node is not none -%}
            {%- set columns = [node.config.unique_key] + node.config.check_cols + ['updated_at'] -%}
        {%- endif -%}
        {%- if node is not none and not flags.FULL_REFRESH -%}
            {%- set snapshot = adapter.get_relation(node.database, node.schema, node.alias) -%}
            {%- if snapshot is not none -%}
                {%- set since = recorded_build_start(snapshot) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif %}
select {{ columns | join(', ') }}
from {{ ref(model) }}
{%- if since is not none %}
where _loaded_at >= {{ since }}
{%- endif %}
{%- endmacro %}

{#- The row filter of a model kept per person (`nobody`: and the rows of no person). -#}
{% macro only_rebuilt_people(column='person_id', nobody=false, by_key=false) -%}
    {{ only_rebuilt(column, 'people', nobody, by_key) }}
{%- endmacro %}

{#- A pre-hook's statement for an incremental build that rebuilds some people only (none when the
    model recomputes everything): a plan setting that suits a few people and not a million. -#}
{% macro when_rebuilding_some(statement) -%}
    {%- if incremental_since() is not none -%}{{ statement }}{%- else -%}select 1{%- endif -%}
{%- endmacro %}

{#- The dependency on int_changed_people, for dbt's graph (refs inside hooks are not seen). -#}
{% macro changed_people_depends_on() -%}
    {%- if model.resource_type == 'unit_test' -%}{{ return('') }}{%- endif -%}
    -- depends_on: {{ ref('int_changed_people') }}
{%- endmacro %}

{#- Post-hook of every model (dbt_project.yml): dbt makes a model's configured indexes only when it
    creates the table, so an incremental table built before an index joined its config would go
    on without it (and a key guarded by a unique index, unchecked). On an incremental build, each
    configured index the table lacks is made: one counts when it is valid, of the same method
    and uniqueness, on exactly those columns, with no expression, predicate or included column
    (so the index made here always counts the next time, and none piles up). -#}
{% macro create_missing_indexes() -%}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
    {%- for index in config.get('indexes') or [] %}
    {%- set parsed = adapter.parse_index(index) %}
do $revgen$ begin
    if not exists (
        select 1
        from pg_index as i
        inner join pg_class as index_class on i.indexrelid = index_class.oid
        inner join pg_am as method on index_class.relam = method.oid
        where i.indrelid = '{{ this }}'::regclass
            and i.indisvalid
            and i.indpred is null
            and i.indexprs is null
            and i.indnatts = i.indnkeyatts
            and i.indisunique = {{ 'true' if parsed.unique else 'false' }}
            and method.amname = lower('{{ parsed.type or 'btree' }}')
            and array(
                select a.attname::text
                from unnest(i.indkey) with ordinality as k (attnum, position)
                inner join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum
                order by k.position
            ) = array[{%- for column in parsed.columns %}lower('{{ column }}'){{ ', ' if not loop.last }}{% endfor -%}]::text[]
    ) then
        {{ get_create_index_sql(this, index) }};
    end if;
end $revgen$;
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of every intermediate model (dbt_project.yml): the next model plans its joins on
    fresh statistics - a new table has none - while a night that rewrote a few changed people of
    a large incremental table leaves them be (the rule and its share: revgen_meta.refresh_statistics,
    revgen/meta.py, which a load's batches follow too). -#}
{% macro refresh_statistics() -%}
    select revgen_meta.refresh_statistics('{{ this }}'::regclass)
{%- endmacro %}
