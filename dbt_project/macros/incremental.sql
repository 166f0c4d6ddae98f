{#- Incremental builds of the large models. Each incremental model records, in the same
    transaction as its rows, when its build started and a fingerprint of the policy and of every
    model's code (revgen_meta.model_builds). The next build rebuilds what was loaded since then,
    minus a lookback (var lookback_hours) for loads still in flight, and the people those rows
    belong to; everything else is kept. Without a matching record (first build, a changed policy,
    changed model code) the model recomputes everything, so a build is always complete, and
    `dbt build --full-refresh` gives the same tables. -#}

{% macro build_fingerprint() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set parts = [tojson(var('policy', none))] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') if node.resource_type == 'model' -%}
        {%- do parts.append(node.raw_code) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#- The start of this model's window as a SQL timestamp, or none: recompute everything. -#}
{% macro incremental_since() -%}
    {#- a unit test builds from its given rows only, never incrementally -#}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set exists = run_query("select to_regclass('revgen_meta.model_builds') is not null") -%}
    {%- if not exists.columns[0].values()[0] -%}{{ return(none) }}{%- endif -%}
    {%- set found = run_query(
        "select to_char((started_at - interval '" ~ var('lookback_hours') ~ " hours') at time zone 'UTC', "
        ~ "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') from revgen_meta.model_builds "
        ~ "where relation = '" ~ this ~ "' and fingerprint = '" ~ build_fingerprint() ~ "'") -%}
    {%- if found.rows | length == 0 -%}{{ return(none) }}{%- endif -%}
    {{ return("cast('" ~ found.columns[0].values()[0] ~ "' as timestamp with time zone)") }}
{%- endmacro %}

{#- Post-hook of every incremental model: remember when this build started (the transaction's
    start, before any row was read) and with which policy and code. -#}
{% macro record_build() -%}
    create table if not exists revgen_meta.model_builds (
        relation text primary key,
        started_at timestamptz not null,
        fingerprint text not null
    );
    insert into revgen_meta.model_builds (relation, started_at, fingerprint)
    values ('{{ this }}', now(), '{{ build_fingerprint() }}')
    on conflict (relation) do update
        set started_at = excluded.started_at, fingerprint = excluded.fingerprint
{%- endmacro %}

{#- The people whose rows a build since `since` rebuilds: whoever a record loaded since then
    belongs to (contacts, scores, touchpoints, leads and their history, opportunities and theirs),
    and every person a contact or lead record belonged to before or after changing hands. -#}
{% macro changed_people(since) -%}
    select person_id from {{ ref('int_person_members') }}
    where changed_at >= {{ since }} and person_id is not null
    union
    select previous_person_id from {{ ref('int_person_members') }}
    where changed_at >= {{ since }} and previous_person_id is not null
    union
    select resolved.person_id
    from {{ ref('int_contacts_resolved') }} as resolved
    where resolved.person_id is not null and resolved.contact_id in (
        select contact_id from {{ ref('stg_marketing__contacts') }} where _loaded_at >= {{ since }}
        union all
        select contact_id from {{ ref('stg_marketing__lead_scores') }} where _loaded_at >= {{ since }}
        union all
        select contact_id from {{ ref('stg_marketing__touchpoints') }} where _loaded_at >= {{ since }}
    )
    union
    select leads.person_id
    from {{ ref('int_leads_resolved') }} as leads
    where leads.person_id is not null and leads.lead_id in (
        select lead_id from {{ ref('stg_crm__leads') }} where _loaded_at >= {{ since }}
        union all
        select lead_id from {{ ref('stg_crm__lead_history') }} where _loaded_at >= {{ since }}
        union all
        select lead_id from {{ ref('stg_crm__opportunities') }} where _loaded_at >= {{ since }}
        union all
        select opportunities.lead_id
        from {{ ref('stg_crm__opportunity_history') }} as history
        inner join {{ ref('stg_crm__opportunities') }} as opportunities
            on opportunities.opportunity_id = history.opportunity_id
        where history._loaded_at >= {{ since }}
    )
{%- endmacro %}

{#- Config of the models kept per person: a build deletes the rows of the people it rebuilds (all
    rows when it recomputes everything) and inserts theirs, in one transaction. -#}
{% macro delete_rebuilt_people() -%}
    {%- if is_incremental() -%}
        {%- set since = incremental_since() -%}
        delete from {{ this }}
        {%- if since is not none %} where person_id in ({{ changed_people(since) }}){% endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The row filter of a model kept per person. -#}
{% macro only_rebuilt_people(column='person_id') -%}
    {%- set since = incremental_since() -%}
    {%- if since is not none -%}
        {{ column }} in ({{ changed_people(since) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The dependencies of changed_people(), for dbt's graph (refs inside hooks are not seen). -#}
{% macro changed_people_depends_on() -%}
    {%- if model.resource_type == 'unit_test' -%}{{ return('') }}{%- endif -%}
    -- depends_on: {{ ref('int_person_members') }}, {{ ref('int_contacts_resolved') }}, {{ ref('int_leads_resolved') }}
    -- depends_on: {{ ref('stg_marketing__contacts') }}, {{ ref('stg_marketing__lead_scores') }}, {{ ref('stg_marketing__touchpoints') }}
    -- depends_on: {{ ref('stg_crm__leads') }}, {{ ref('stg_crm__lead_history') }}, {{ ref('stg_crm__opportunities') }}, {{ ref('stg_crm__opportunity_history') }}
{%- endmacro %}
