"""Load one file's records into its raw table as one atomic batch.

1. COPY the records, as text, into a temporary table (streamed in ~1 MB blocks).
2. Classify each row in SQL: the first failing check gives its reject reason (missing required
   value, unparseable value, malformed email, future timestamp, value too long, duplicate key in
   the batch, unknown reference).
3. Upsert the clean rows by primary key, writing only rows whose values changed; store the rejects
   with file, line, field, value and reason; record read / loaded / rejected counts.
All of it in one transaction: a reader sees the whole batch or none of it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from revgen.contract import SQL_TYPES, STREAMS_BY_KEY, Stream
from revgen.sources.files.reader import Record

log = logging.getLogger(__name__)

MAX_VALUE_CHARS = 65_536
FUTURE_TOLERANCE = "1 hour"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
COPY_BLOCK_BYTES = 1 << 20
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class LoadResult:
    source: str
    stream: str
    file_name: str
    batch_id: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    skipped: bool = False
    method: str = "checked"  # "direct": COPY straight into an empty table (clean first load)

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(COPY_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_line(record: Record) -> str:
    fields = [str(record.line), record.problem, record.problem_field, *record.values]
    return "\t".join("\\N" if v is None else v.translate(_ESCAPES) for v in fields) + "\n"


def _checks(stream: Stream) -> list[tuple[sql.Composable, str, sql.Composable]]:
    """(condition, field, reason) for each row-level check, in the order they are applied."""
    checks: list[tuple[sql.Composable, str, sql.Composable]] = [
        (sql.SQL("_problem is not null"), "", sql.SQL("_problem")),
    ]
    for column in stream.columns:
        ident = sql.Identifier(column.name)
        if column.required:
            checks.append(
                (sql.SQL("{} is null").format(ident), column.name, sql.Literal("missing_required"))
            )
        checks.append(
            (
                sql.SQL("length({}) > {}").format(ident, sql.Literal(MAX_VALUE_CHARS)),
                column.name,
                sql.Literal("value_too_long"),
            )
        )
        if column.type == "email":
            checks.append(
                (
                    sql.SQL("{} !~ {}").format(ident, sql.Literal(EMAIL_PATTERN)),
                    column.name,
                    sql.Literal("invalid_email"),
                )
            )
        elif column.type != "text":
            checks.append(
                (
                    sql.SQL("not revgen_meta.is_valid({}, {})").format(
                        ident, sql.Literal(SQL_TYPES[column.type])
                    ),
                    column.name,
                    sql.Literal(f"invalid_{column.type}"),
                )
            )
        if column.name in stream.no_future:
            checks.append(
                (
                    sql.SQL("{}::timestamptz > now() + interval {}").format(
                        ident, sql.Literal(FUTURE_TOLERANCE)
                    ),
                    column.name,
                    sql.Literal("future_timestamp"),
                )
            )
    return checks


def _classify_sql(stream: Stream) -> sql.Composed:
    checks = _checks(stream)
    reason = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(cond, why) for cond, _, why in checks
    )
    field = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(
            cond, sql.SQL("_problem_field") if not name else sql.Literal(name)
        )
        for cond, name, _ in checks
    )
    value = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(
            cond,
            sql.SQL("null") if not name else sql.SQL("left({}, 200)").format(sql.Identifier(name)),
        )
        for cond, name, _ in checks
    )
    pk = sql.SQL(", ").join(sql.Identifier(name) for name in stream.primary_key)
    pk_text = sql.SQL(" || '|' || ").join(
        sql.SQL("coalesce({}, '')").format(sql.Identifier(name)) for name in stream.primary_key
    )
    return sql.SQL("""
        create temporary table _classified on commit drop as
        with checked as (
            select line, {pk},
                   case {reason} end as reason,
                   case {field} end as field,
                   case {value} end as value,
                   {pk_text} as pk_text
            from _incoming
        ),
        deduplicated as (
            select checked.*,
                   row_number() over (partition by {pk}, reason is null order by line) as occurrence
            from checked
        )
        select line,
               coalesce(reason, case when occurrence > 1 then 'duplicate_key' end) as reason,
               case when reason is null and occurrence > 1 then {first_pk} else field end as field,
               case when reason is null and occurrence > 1 then pk_text else value end as value
        from deduplicated
    """).format(
        pk=pk,
        reason=reason,
        field=field,
        value=value,
        pk_text=pk_text,
        first_pk=sql.Literal(stream.primary_key[0]),
    )


def _reference_sqls(stream: Stream) -> list[sql.Composed]:
    """One statement per reference: clean rows naming an unknown id are rejected."""
    return [
        sql.SQL("""
            update _classified c
            set reason = 'unknown_reference', field = {name}, value = left(i.{col}, 200)
            from _incoming i
            where c.line = i.line and c.reason is null and i.{col} is not null
              and not exists (select 1 from {target} t where t.{tcol} = i.{col})
        """).format(
            name=sql.Literal(ref.column),
            col=sql.Identifier(ref.column),
            target=sql.Identifier(stream.schema, ref.stream),
            tcol=sql.Identifier(ref.target_column),
        )
        for ref in stream.references
    ]


def _upsert_sql(stream: Stream) -> sql.Composed:
    names = stream.column_names
    cols = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    casts = sql.SQL(", ").join(
        sql.SQL("i.{}::{}").format(sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.type]))
        for c in stream.columns
    )
    non_key = [n for n in names if n not in stream.primary_key]
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(n))
        for n in (*non_key, "_source", "_batch_id", "_loaded_at")
    )
    changed = (
        sql.SQL("({}) is distinct from ({})").format(
            sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in non_key),
            sql.SQL(", ").join(sql.SQL("excluded.{}").format(sql.Identifier(n)) for n in non_key),
        )
        if non_key
        else sql.SQL("false")
    )
    return sql.SQL("""
        with upserted as (
            insert into {table} as t ({cols}, _source, _batch_id, _loaded_at)
            select {casts}, %(source)s, %(batch_id)s, %(loaded_at)s
            from _incoming i join _classified c using (line)
            where c.reason is null
            on conflict ({pk}) do update set {updates} where {changed}
            returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
    """).format(
        table=sql.Identifier(stream.schema, stream.name),
        cols=cols,
        casts=casts,
        pk=sql.SQL(", ").join(sql.Identifier(n) for n in stream.primary_key),
        updates=updates,
        changed=changed,
    )


def already_loaded(conn: psycopg.Connection, stream: Stream, sha256: str) -> bool:
    row = conn.execute(
        "select 1 from revgen_meta.load_runs where source = %s and stream = %s and file_sha256 = %s",
        (stream.source, stream.name, sha256),
    ).fetchone()
    return row is not None


def load_records(
    conn: psycopg.Connection,
    stream: Stream,
    records: Iterable[Record],
    file_name: str,
    sha256: str,
    origin: str = "files",
) -> LoadResult:
    """Load one file's records as one batch, in one transaction. The caller owns `conn`."""
    batch_id = str(uuid.uuid4())
    result = LoadResult(stream.source, stream.name, file_name, batch_id)
    started = datetime.now(UTC)
    incoming_cols = sql.SQL(", ").join(
        sql.SQL("{} text").format(sql.Identifier(n)) for n in stream.column_names
    )
    with conn.transaction():
        conn.execute(
            sql.SQL("select pg_advisory_xact_lock(hashtext({}))").format(sql.Literal(stream.table))
        )
        conn.execute(
            sql.SQL(
                "create temporary table _incoming (line bigint, _problem text, _problem_field text, {}) "
                "on commit drop"
            ).format(incoming_cols)
        )
        with conn.cursor() as cursor:
            with cursor.copy("copy _incoming from stdin") as copy:
                buffer: list[str] = []
                size = 0
                for record in records:
                    text = _copy_line(record)
                    buffer.append(text)
                    size += len(text)
                    result.rows_read += 1
                    if size >= COPY_BLOCK_BYTES:
                        copy.write("".join(buffer))
                        buffer, size = [], 0
                if buffer:
                    copy.write("".join(buffer))
            cursor.execute(_classify_sql(stream))
            for statement in _reference_sqls(stream):
                cursor.execute(statement)
            cursor.execute(
                """
                insert into revgen_meta.rejects
                    (source, stream, file_name, file_sha256, line, field, value, reason,
                     batch_id, rejected_at)
                select %s, %s, %s, %s, line, field, value, reason, %s, %s
                from _classified where reason is not null
                on conflict do nothing
            """,
                (stream.source, stream.name, file_name, sha256, batch_id, started),
            )
            rejected = cursor.execute(
                "select count(*) from _classified where reason is not null"
            ).fetchone()
            result.rows_rejected = int(rejected[0]) if rejected else 0
            counts = cursor.execute(
                _upsert_sql(stream),
                {"source": origin, "batch_id": batch_id, "loaded_at": started},
            ).fetchone()
            assert counts is not None
            result.rows_inserted, result.rows_updated = int(counts[0]), int(counts[1])
            result.rows_loaded = result.rows_read - result.rows_rejected
            cursor.execute(
                """
                insert into revgen_meta.load_runs
                    (batch_id, source, stream, file_name, file_sha256, started_at, finished_at,
                     rows_read, rows_loaded, rows_rejected, rows_inserted, rows_updated)
                values (%s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, %s, %s, %s)
            """,
                (
                    batch_id,
                    stream.source,
                    stream.name,
                    file_name,
                    sha256,
                    started,
                    result.rows_read,
                    result.rows_loaded,
                    result.rows_rejected,
                    result.rows_inserted,
                    result.rows_updated,
                ),
            )
    log.info(
        "%s.%s %s: read %d, loaded %d (%d new, %d changed), rejected %d [batch %s]",
        stream.source,
        stream.name,
        file_name,
        result.rows_read,
        result.rows_loaded,
        result.rows_inserted,
        result.rows_updated,
        result.rows_rejected,
        batch_id,
    )
    return result


class _NotClean(Exception):
    """The direct COPY found something to reject: the batch takes the checking path instead."""


def _typed_problems_sql(stream: Stream) -> sql.Composed:
    """Rows of this batch (already typed by COPY) that a check would reject."""
    conditions: list[sql.Composable] = []
    for column in stream.columns:
        ident = sql.Identifier(column.name)
        if column.required:
            conditions.append(sql.SQL("{} is null").format(ident))
        if column.type in ("text", "email"):
            conditions.append(
                sql.SQL("length({}) > {}").format(ident, sql.Literal(MAX_VALUE_CHARS))
            )
        if column.type == "email":
            conditions.append(sql.SQL("{} !~ {}").format(ident, sql.Literal(EMAIL_PATTERN)))
        if column.name in stream.no_future:
            conditions.append(
                sql.SQL("{} > now() + interval {}").format(ident, sql.Literal(FUTURE_TOLERANCE))
            )
    for ref in stream.references:
        conditions.append(
            sql.SQL(
                "({col} is not null and not exists (select 1 from {target} r where r.{tcol} = t.{col}))"
            ).format(
                col=sql.Identifier(ref.column),
                target=sql.Identifier(stream.schema, ref.stream),
                tcol=sql.Identifier(ref.target_column),
            )
        )
    return sql.SQL("select exists (select 1 from {} t where {})").format(
        sql.Identifier(stream.schema, stream.name), sql.SQL(" or ").join(conditions)
    )


def copy_direct(
    conn: psycopg.Connection,
    stream: Stream,
    path: Path,
    header: list[str],
    sha256: str,
    origin: str = "files",
) -> LoadResult | None:
    """The fast path of a first load: COPY the file's bytes straight into the empty raw table
    (the server parses the CSV), then check the typed rows. Returns None, having changed
    nothing, when the table is not empty or anything would be rejected; the caller then takes
    the checking path, which names every bad row."""
    batch_id = str(uuid.uuid4())
    result = LoadResult(stream.source, stream.name, path.name, batch_id, method="direct")
    started = datetime.now(UTC)
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in header)
    table = sql.Identifier(stream.schema, stream.name)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("select pg_advisory_xact_lock(hashtext({}))").format(
                    sql.Literal(stream.table)
                )
            )
            if cursor.execute(sql.SQL("select exists (select 1 from {})").format(table)).fetchone()[
                0
            ]:
                raise _NotClean
            cursor.execute(
                "select set_config('revgen.batch_id', %s, true), "
                "set_config('revgen.source', %s, true)",
                (batch_id, origin),
            )
            statement = sql.SQL(
                "copy {} ({}) from stdin with (format csv, header true, force_null ({}))"
            ).format(table, columns, columns)
            with opener(path, "rb") as handle, cursor.copy(statement) as copy:
                for block in iter(lambda: handle.read(COPY_BLOCK_BYTES), b""):
                    copy.write(block)
            result.rows_read = result.rows_loaded = result.rows_inserted = cursor.rowcount
            if cursor.execute(_typed_problems_sql(stream)).fetchone()[0]:
                raise _NotClean
            cursor.execute(
                """
                insert into revgen_meta.load_runs
                    (batch_id, source, stream, file_name, file_sha256, started_at, finished_at,
                     rows_read, rows_loaded, rows_rejected, rows_inserted, rows_updated)
                values (%s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, 0, %s, 0)
            """,
                (
                    batch_id,
                    stream.source,
                    stream.name,
                    path.name,
                    sha256,
                    started,
                    result.rows_read,
                    result.rows_loaded,
                    result.rows_inserted,
                ),
            )
    except (_NotClean, psycopg.errors.DataError, psycopg.errors.IntegrityError):
        return None
    log.info(
        "%s.%s %s: read %d, loaded %d (direct COPY into an empty table) [batch %s]",
        stream.source,
        stream.name,
        path.name,
        result.rows_read,
        result.rows_loaded,
        batch_id,
    )
    return result


def stream_for(source: str, name: str) -> Stream:
    return STREAMS_BY_KEY[(source, name)]
