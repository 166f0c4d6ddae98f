"""revgen's own bookkeeping schema, `revgen_meta`: every table of it, declared here and nowhere
else. Loads, quality checks, alerts and dbt's incremental models write to it; BI never reads it.

    load_runs, rejects      every batch loaded (read = loaded + rejected) and every rejected row
    watermarks              API extracts: where each object's next extract starts
    quality_results         every expectation of every run, with failing ids
    orphan_history, orphan_alerts, orphan_alert_deliveries
                            orphans counted per run, first seen, and what each channel delivered
    orphan_trend            a view: one point per orphan check (the report's trend)
    model_builds            when each incremental dbt model last built, with which code and policy
    dbt_node_results        every node of every nightly dbt build: its layer, status and seconds
    demo_company            which demo company the warehouse holds (absent: not a demo)
    refresh_statistics()    a table's planner statistics, refreshed once a tenth of it changed

The PII key (pii_key) and the type checks used by loads are made by revgen.load.schema.
"""

# a table whose writes since its last ANALYZE (those of the current transaction included) reach
# this share of its rows has its planner statistics refreshed (revgen_meta.refresh_statistics)
ANALYZE_SHARE = 0.1

META_DDL = f"""
-- one session at a time (a load and a dbt build may start together): `create or replace
-- function` does not wait for a concurrent one, it fails
select pg_advisory_xact_lock(hashtext('revgen_meta.ensure_schema'));

create schema if not exists revgen_meta;

create table if not exists revgen_meta.load_runs (
    batch_id      uuid primary key,
    source        text not null,
    stream        text not null,
    file_name     text not null,
    file_sha256   text not null,
    started_at    timestamptz not null,
    finished_at   timestamptz not null,
    rows_read     bigint not null,
    rows_loaded   bigint not null,
    rows_rejected bigint not null,
    rows_inserted bigint not null,
    rows_updated  bigint not null,
    constraint load_runs_reconcile check (rows_read = rows_loaded + rows_rejected)
);

create table if not exists revgen_meta.rejects (
    source      text not null,
    stream      text not null,
    file_name   text not null,
    file_sha256 text not null,
    line        bigint not null,
    field       text,
    value       text,
    reason      text not null,
    batch_id    uuid not null,
    rejected_at timestamptz not null,
    primary key (source, stream, file_sha256, line)
);
-- the rejected record's key (its primary key values joined by '|'), and when a later load
-- accepted a record with that key: a resolved reject is history, not an open problem
alter table revgen_meta.rejects add column if not exists record_key text;
alter table revgen_meta.rejects add column if not exists resolved_at timestamptz;
alter table revgen_meta.rejects add column if not exists resolved_batch_id uuid;

create table if not exists revgen_meta.watermarks (
    source     text not null,
    stream     text not null,
    value      text not null,
    updated_at timestamptz not null,
    primary key (source, stream)
);

create table if not exists revgen_meta.quality_results (
    run_id           text not null,
    suite            text not null,
    expectation      text not null,
    expectation_index integer not null,
    is_blocking      boolean not null,
    success          boolean not null,
    unexpected_count bigint,
    failing_ids      text[],
    checked_at       timestamptz not null,
    primary key (run_id, suite, expectation_index)
);

create table if not exists revgen_meta.orphan_history (
    checked_at timestamptz not null,
    as_of      timestamptz,
    reason     text not null,
    orphans    bigint not null
);
-- one point per check (its orphans over all reasons): the report's trend
do $$ begin
    if to_regclass('revgen_meta.orphan_trend') is null then
        create view revgen_meta.orphan_trend as
        select checked_at, max(as_of) as as_of, sum(orphans)::bigint as orphans
        from revgen_meta.orphan_history
        group by checked_at;
    end if;
end $$;
create table if not exists revgen_meta.orphan_alerts (
    person_id       text primary key,
    reason          text not null,
    first_seen_at   timestamptz not null,
    last_alerted_at timestamptz
);
-- what each channel delivered: a failing channel never makes another repeat itself
create table if not exists revgen_meta.orphan_alert_deliveries (
    person_id       text not null,
    channel         text not null,
    last_alerted_at timestamptz not null,
    primary key (person_id, channel)
);

create table if not exists revgen_meta.model_builds (
    relation    text primary key,
    started_at  timestamptz not null,
    fingerprint text not null
);

-- the nightly's one `dbt build`, node by node: the DAG's layer tasks judge their layer from it,
-- and it says where the build's time goes
create table if not exists revgen_meta.dbt_node_results (
    run_id      text not null,
    unique_id   text not null,
    layer       text not null,
    status      text not null,
    seconds     double precision,
    message     text,
    recorded_at timestamptz not null,
    primary key (run_id, unique_id)
);

create table if not exists revgen_meta.demo_company (
    id        boolean primary key default true check (id),
    generator jsonb not null
);

-- A table's planner statistics, refreshed (ANALYZE) when it was never analyzed or when the
-- current transaction wrote (inserted, updated, deleted) {ANALYZE_SHARE} of its rows or more; smaller
-- changes add up until autovacuum analyzes the table (its own threshold is alike). Called by a
-- load at the end of each batch and by dbt after each intermediate model: the next step is
-- planned on fresh figures without waiting minutes for autovacuum, and a night that rewrites a
-- few changed people of a large table does not sample it again. True when analyzed.
create or replace function revgen_meta.refresh_statistics(target regclass) returns boolean
language plpgsql as $$
declare
    known real;
    written bigint;
begin
    select reltuples into known from pg_class where oid = target;
    select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) into written
    from pg_stat_xact_user_tables where relid = target;
    if known < 0 or written >= {ANALYZE_SHARE} * known then
        execute format('analyze %s', target);
        return true;
    end if;
    return false;
end $$;
"""
