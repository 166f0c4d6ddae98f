"""DDL for the raw schemas (from the contract) and revgen's own bookkeeping schema `revgen_meta`."""

from __future__ import annotations

import psycopg
from psycopg import sql

from revgen.contract import SQL_TYPES, STREAMS, Stream
from revgen.meta import META_DDL

# `pg_input_is_valid` exists from PostgreSQL 16; older servers get an exception-catching twin.
IS_VALID_16 = """
create or replace function revgen_meta.is_valid(value text, type_name text) returns boolean
language sql immutable parallel safe as $$ select pg_input_is_valid(value, type_name) $$;
"""
IS_VALID_OLD = """
create or replace function revgen_meta.is_valid(value text, type_name text) returns boolean
language plpgsql immutable parallel safe as $$
begin
    execute format('select %L::%s', value, type_name);
    return true;
exception when others then
    return false;
end $$;
"""


PII_DDL = """
create table if not exists revgen_meta.pii_key (
    id   boolean primary key default true check (id),
    ipad bytea not null,
    opad bytea not null
);
create or replace function revgen_meta.pii_hash(value text) returns text
language sql stable as $$
    select encode(sha256(k.opad || sha256(k.ipad || convert_to(lower(trim(value)), 'UTF8'))), 'hex')
    from revgen_meta.pii_key k
$$;
"""


def ensure_pii_key(conn: psycopg.Connection) -> None:
    """The key of the keyed hash (HMAC-SHA256) that stands in for emails in the marts: from
    REVGEN_PII_KEY (an Airflow connection's password or a secret in the environment) when set,
    else a random key made once. Stored as HMAC pads in revgen_meta, which BI cannot read."""
    import hashlib
    import os
    import secrets

    conn.execute(PII_DDL)
    given = os.environ.get("REVGEN_PII_KEY")
    exists = conn.execute("select 1 from revgen_meta.pii_key").fetchone()
    if exists and not given:
        return
    key = given.encode() if given else secrets.token_bytes(32)
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in key)
    opad = bytes(b ^ 0x5C for b in key)
    conn.execute(
        "insert into revgen_meta.pii_key (ipad, opad) values (%s, %s) on conflict (id) "
        "do update set ipad = excluded.ipad, opad = excluded.opad",
        (ipad, opad),
    )


def pii_key_digest(conn: psycopg.Connection) -> str:
    """A digest of the key of the keyed hash ('' before there is one): what changes when the key
    does (revgen.dbt.build_fingerprint), never the key itself."""
    found = conn.execute("select to_regclass('revgen_meta.pii_key') is not null").fetchone()
    if not (found and found[0]):
        return ""
    key = conn.execute("select md5(encode(ipad, 'hex')) from revgen_meta.pii_key").fetchone()
    return str(key[0]) if key else ""


def raw_table_ddl(stream: Stream, table: sql.Identifier | None = None) -> sql.Composed:
    """The raw table of `stream` (or a table named `table` with its columns and key)."""
    columns: list[sql.Composable] = [
        sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(SQL_TYPES[column.type]))
        for column in stream.columns
    ]
    columns += [
        # columns an export has beyond the contract, kept as a JSON object (schema drift)
        sql.SQL("_extra jsonb"),
        # a COPY straight into the table stamps these by defaults it sets (direct.bulk_load_sql)
        sql.SQL("_source text not null"),
        sql.SQL("_batch_id uuid not null"),
        sql.SQL("_loaded_at timestamptz not null default now()"),
        # set when a full export (mapping `full_export: true`) no longer holds the record
        sql.SQL("_deleted_at timestamptz"),
        sql.SQL("primary key ({})").format(
            sql.SQL(", ").join(sql.Identifier(name) for name in stream.primary_key)
        ),
    ]
    return sql.SQL("create table if not exists {} ({})").format(
        table or sql.Identifier(stream.schema, stream.name), sql.SQL(", ").join(columns)
    )


def loaded_at_index_ddl(stream: Stream) -> sql.Composed:
    """The index of a raw table's `_loaded_at`, which the incremental dbt models filter on ("rows
    loaded since the last build"). BRIN: rows are appended in load order, so a summary per block
    range finds a night's rows without reading the table, and costs a load next to nothing."""
    return sql.SQL("create index if not exists {} on {} using brin (_loaded_at)").format(
        sql.Identifier(f"{stream.name}_loaded_at"), sql.Identifier(stream.schema, stream.name)
    )


def ensure_loaded_at_btree(cursor: psycopg.Cursor, stream: Stream) -> None:
    """A b-tree of `_loaded_at` beside the BRIN, made once a load has replaced rows of the table
    (changed, or marked deleted by a full export). A replaced row's new version lands wherever a
    page has room, after a vacuum anywhere in the table: each block range then spans old and new
    loads, and the BRIN points at every block: a read of the whole table, which grows with the
    company (a night's 40k contacts of 1M: 133 ms, against 30 ms by a b-tree). Append-only streams
    (touchpoints, scores, histories) keep the BRIN alone, and their loads never pay for a b-tree."""
    name = f"{stream.name}_loaded_at_btree"
    qualified = sql.Identifier(stream.schema, name).as_string(cursor)
    found = cursor.execute("select to_regclass(%s)", (qualified,)).fetchone()
    if found is not None and found[0] is None:
        cursor.execute(
            sql.SQL("create index {} on {} (_loaded_at)").format(
                sql.Identifier(name), sql.Identifier(stream.schema, stream.name)
            )
        )


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create what is missing; safe to run at the start of every load, concurrently too."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('revgen_meta.ensure_schema'))")
        conn.execute(META_DDL)
        version = conn.info.server_version
        conn.execute(IS_VALID_16 if version >= 160000 else IS_VALID_OLD)
        ensure_pii_key(conn)
        for schema in sorted({stream.schema for stream in STREAMS}):
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        # the catalog itself, not information_schema's views over it (6 ms against 2 ms, at the
        # start of every load)
        existing: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in conn.execute(
            "select n.nspname, c.relname, a.attname from pg_attribute a "
            "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname like 'raw\\_%' and c.relkind in ('r', 'p') "
            "and a.attnum > 0 and not a.attisdropped"
        ):
            existing.setdefault((schema, table), set()).add(column)
        indexed = {
            (schema, name)
            for schema, name in conn.execute(
                "select n.nspname, c.relname from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname like 'raw\\_%' and c.relkind in ('i', 'I')"
            )
        }
        for stream in STREAMS:
            have = existing.get((stream.schema, stream.name))
            if have is None:
                conn.execute(raw_table_ddl(stream))
            # a new table's, or once on a warehouse an older revgen made
            if (stream.schema, f"{stream.name}_loaded_at") not in indexed:
                conn.execute(loaded_at_index_ddl(stream))
            if have is None:
                continue
            for name, kind in (("_extra", "jsonb"), ("_deleted_at", "timestamptz")):
                if name not in have:  # a newer revgen's bookkeeping columns
                    conn.execute(
                        sql.SQL("alter table {} add column {} {}").format(
                            sql.Identifier(stream.schema, stream.name),
                            sql.Identifier(name),
                            sql.SQL(kind),
                        )
                    )
            for column in stream.columns:  # a newer contract adds columns; old rows get null
                if column.name not in have:
                    conn.execute(
                        sql.SQL("alter table {} add column {} {}").format(
                            sql.Identifier(stream.schema, stream.name),
                            sql.Identifier(column.name),
                            sql.SQL(SQL_TYPES[column.type]),
                        )
                    )


def revgen_schemas() -> tuple[str, ...]:
    """Every schema revgen writes: the raw ones (a schema per source), its bookkeeping, and dbt's
    layers, snapshots included (each layer's schema is named after it in dbt_project.yml)."""
    from revgen.dbt import LAYERS  # revgen.dbt imports this module

    return (*dict.fromkeys(stream.schema for stream in STREAMS), "revgen_meta", *LAYERS)


def drop_revgen_schemas(conn: psycopg.Connection) -> None:
    """Drop every schema revgen writes (raw, bookkeeping, dbt layers)."""
    for schema in revgen_schemas():
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


def claim_for_demo(conn: psycopg.Connection, generator: dict) -> bool:
    """Make the warehouse hold only this demo company; return whether it was reset.

    A warehouse holding another demo company (other people/seed/days) is emptied first, so the
    demo never mixes two companies. One holding data that is not a demo company is left alone:
    raises ConfigError, since the demo must not touch real data.
    """
    import json

    from revgen.errors import ConfigError

    ensure_schema(conn)
    with conn.transaction():
        row = conn.execute("select generator from revgen_meta.demo_company").fetchone()
        if row is not None and row[0] == generator:
            return False
        has_data = conn.execute("select exists (select 1 from revgen_meta.load_runs)").fetchone()
        if row is None and has_data and has_data[0]:
            raise ConfigError(
                "The warehouse already holds loaded data that is not revgen's demo company, and "
                "the demo will not mix with it: empty it with `revgen db reset` (drops revgen's "
                "schemas) or point DATABASE_URL at an empty database."
            )
        if row is not None or (has_data and has_data[0]):
            drop_revgen_schemas(conn)
    ensure_schema(conn)
    with conn.transaction():
        conn.execute(
            "insert into revgen_meta.demo_company (generator) values (%s)", (json.dumps(generator),)
        )
    return row is not None


BI_ROLE = "revgen_bi"


def ensure_bi_role(conn: psycopg.Connection, role: str = BI_ROLE) -> bool:
    """The read-only role BI tools use: it may read the marts and nothing else (dbt grants select
    on each mart, again after every rebuild). Needs CREATEROLE; without it the role must exist
    already (the DBA creates it); returns whether it exists."""
    import logging

    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
    if not exists:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        except psycopg.errors.InsufficientPrivilege:
            logging.getLogger(__name__).warning(
                "cannot create the BI role %s (no CREATEROLE): ask the DBA for `create role %s "
                "nologin`; until then the marts are built without BI grants",
                role,
                role,
            )
            return False
    with conn.transaction():
        conn.execute("create schema if not exists marts")
        conn.execute(sql.SQL("grant usage on schema marts to {}").format(sql.Identifier(role)))
    return True
