"""Load one file's records into its raw table as one atomic batch.

1. COPY the records, as text, into a temporary table (streamed in ~1 MB blocks).
2. Classify each row in SQL: the first failing check gives its reject reason (missing required
   value, unparseable value, malformed email, future timestamp, value too long, duplicate key in
   the batch, unknown reference).
3. Upsert the clean rows by primary key, writing only rows whose values changed; store the rejects
   with file, line, field, value and reason; record read / loaded / rejected counts.
All of it in one transaction: a reader sees the whole batch or none of it. A clean CSV file takes
the server's COPY instead (`direct.py`), which falls back to this path when anything would be
rejected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from revgen.contract import SQL_TYPES, Stream
from revgen.load.checks import row_checks, unknown_reference_sql
from revgen.load.schema import ensure_loaded_at_btree
from revgen.records import Record

log = logging.getLogger(__name__)

COPY_BLOCK_BYTES = 1 << 20


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
    rows_deleted: int = 0  # marked deleted: a full export no longer holds them
    skipped: bool = False
    # "checked": every row read and checked here (copy.load_records); "direct": the server's COPY
    # straight into an empty table; "delta": the server's COPY, then only changed rows upserted
    # (both in direct.py, for files with nothing to reject)
    method: str = "checked"

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(COPY_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` items, in order."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _csv_text(records: list[Record]) -> str:
    """Records as the CSV rows of `_incoming` (written by the csv module, at C speed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        (r.line, r.problem, r.problem_field, r.extra, *r.values) for r in records
    )
    return buffer.getvalue()


JSON_NUL = "\\u0000"  # a NUL in an unknown column, as json.dumps writes it into `_extra`


def _without_nul(record: Record, stream: Stream) -> Record:
    """PostgreSQL text cannot hold a NUL character (\\x00): a record with one (a file's or an
    API's) is rejected as `invalid_character`, naming the field, and the NULs are dropped so the
    rest of the batch still loads."""
    if not any(value is not None and "\x00" in value for value in record.values):
        if record.extra is None or JSON_NUL not in record.extra:
            return record
    field = next(
        (
            name
            for name, value in zip(stream.column_names, record.values, strict=True)
            if value is not None and "\x00" in value
        ),
        "_extra",
    )
    return Record(
        record.line,
        tuple(None if value is None else value.replace("\x00", "") for value in record.values),
        record.problem or "invalid_character",
        record.problem_field or field,
        record.extra.replace(JSON_NUL, "") if record.extra else None,
    )


def _key_text(stream: Stream, alias: str | None = None) -> sql.Composable:
    """A record's primary key as one text (values joined by '|'), as rejects keep it."""
    return sql.SQL(" || '|' || ").join(
        sql.SQL("coalesce({}::text, '')").format(
            sql.Identifier(alias, name) if alias else sql.Identifier(name)
        )
        for name in stream.primary_key
    )


def _resolve_rejects(
    cursor: psycopg.Cursor, stream: Stream, loaded_keys: sql.Composable, batch_id: str, at
) -> None:
    """Mark resolved the open rejects of earlier batches whose record a load has now accepted."""
    cursor.execute(
        sql.SQL("""
            update revgen_meta.rejects
            set resolved_at = %s, resolved_batch_id = %s
            where source = %s and stream = %s and resolved_at is null and batch_id <> %s
              and record_key in ({})
        """).format(loaded_keys),
        (at, batch_id, stream.source, stream.name, batch_id),
    )


def _rejects_sql(stream: Stream) -> list[sql.Composed | sql.SQL]:
    """Statements that fill `_rejected` (line, field, value, reason) with every bad row, in the
    order the checks apply: row checks (the first failing one names field and reason), then
    duplicate keys among the rows still clean (the first occurrence stays), then unknown ids."""
    # the reader's own finding first (a row of too few fields, a bad date format), then the
    # contract's row checks
    checks: list[tuple[sql.Composable, str, sql.Composable]] = [
        (sql.SQL("_problem is not null"), "", sql.SQL("_problem")),
        *((c.on_text, c.column, sql.Literal(c.reason)) for c in row_checks(stream)),
    ]
    first_failure = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(cond, sql.Literal(number))
        for number, (cond, _, _) in enumerate(checks)
    )
    reason = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(sql.Literal(number), why)
        for number, (_, _, why) in enumerate(checks)
    )
    field = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(
            sql.Literal(number), sql.SQL("_problem_field") if not name else sql.Literal(name)
        )
        for number, (_, name, _) in enumerate(checks)
    )
    # a problem the reader found names its column (or says why, e.g. `3 of 8 fields`): the
    # value of that column, when it names one
    problem_value = sql.SQL("case _problem_field {} end").format(
        sql.SQL(" ").join(
            sql.SQL("when {} then left({}, 200)").format(sql.Literal(name), sql.Identifier(name))
            for name in stream.column_names
        )
    )
    value = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(
            sql.Literal(number),
            problem_value if not name else sql.SQL("left({}, 200)").format(sql.Identifier(name)),
        )
        for number, (_, name, _) in enumerate(checks)
    )
    pk = sql.SQL(", ").join(sql.Identifier(name) for name in stream.primary_key)
    statements: list[sql.Composed | sql.SQL] = [
        sql.SQL("""
            create temporary table _rejected on commit drop as
            select line, case failure {field} end as field, case failure {value} end as value,
                   case failure {reason} end as reason
            from (select *, case {first_failure} end as failure from _incoming) checked
            where failure is not null
        """).format(field=field, value=value, reason=reason, first_failure=first_failure),
        sql.SQL("create index on _rejected (line)"),
        sql.SQL("""
            insert into _rejected (line, field, value, reason)
            select line, {first_pk}, pk_text, 'duplicate_key'
            from (
                select line, {pk_text} as pk_text,
                       row_number() over (partition by {pk} order by line) as occurrence
                from _incoming i
                where not exists (select 1 from _rejected r where r.line = i.line)
                  and ({pk}) in (select {pk} from _incoming group by {pk} having count(*) > 1)
            ) repeated
            where occurrence > 1
        """).format(first_pk=sql.Literal(stream.primary_key[0]), pk_text=_key_text(stream), pk=pk),
    ]
    for ref in stream.references:
        statements.append(
            sql.SQL("""
            insert into _rejected (line, field, value, reason)
            select i.line, {name}, left(i.{col}, 200), 'unknown_reference'
            from _incoming i
            where not exists (select 1 from _rejected r where r.line = i.line) and {unknown}
        """).format(
                name=sql.Literal(ref.column),
                col=sql.Identifier(ref.column),
                unknown=unknown_reference_sql(stream, ref, "i"),
            )
        )
    return statements


CLEAN_INCOMING = sql.SQL(
    "_incoming i where not exists (select 1 from _rejected r where r.line = i.line)"
)


def _upsert_sql(stream: Stream, rows: sql.Composable = CLEAN_INCOMING) -> sql.Composed:
    """Insert or update `rows` (a relation aliased `i`, the contract's columns and `_extra`) by
    primary key, writing only rows whose values changed; counts (inserted, updated)."""
    names = stream.column_names
    cols = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    casts = sql.SQL(", ").join(
        sql.SQL("i.{}::{}").format(sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.type]))
        for c in stream.columns
    )
    non_key = [n for n in names if n not in stream.primary_key]
    updates = sql.SQL(", ").join(
        [
            *(
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(n))
                for n in (*non_key, "_extra", "_source", "_batch_id", "_loaded_at")
            ),
            sql.SQL("_deleted_at = null"),  # a record a full export holds again is live again
        ]
    )
    changed = (
        sql.SQL("({}) is distinct from ({})").format(
            sql.SQL(", ").join(
                sql.SQL("t.{}").format(sql.Identifier(n)) for n in (*non_key, "_extra")
            ),
            sql.SQL(", ").join(
                sql.SQL("excluded.{}").format(sql.Identifier(n)) for n in (*non_key, "_extra")
            ),
        )
        if non_key
        else sql.SQL("false")
    )
    changed = sql.SQL("({} or t._deleted_at is not null)").format(changed)
    if "updated_at" in non_key:  # the newest version wins, whatever order the files arrive in
        changed = sql.SQL("{} and excluded.updated_at >= t.updated_at").format(changed)
    return sql.SQL("""
        with upserted as (
            insert into {table} as t ({cols}, _extra, _source, _batch_id, _loaded_at)
            select {casts}, i._extra::jsonb, %(source)s, %(batch_id)s, %(loaded_at)s
            from {rows}
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
        rows=rows,
    )


def _mark_deleted_sql(stream: Stream) -> sql.Composed:
    """A full export holds every live record: those of the stream it does not hold (not even as
    a rejected row) are marked deleted, stamped with this batch so incremental models see them."""
    key_match = sql.SQL(" and ").join(
        sql.SQL("i.{0} = t.{0}::text").format(sql.Identifier(name)) for name in stream.primary_key
    )
    return sql.SQL("""
        update {table} as t
        set _deleted_at = %(loaded_at)s, _batch_id = %(batch_id)s, _loaded_at = %(loaded_at)s
        where t._deleted_at is null
          and not exists (select 1 from _incoming i where {key_match})
    """).format(table=sql.Identifier(stream.schema, stream.name), key_match=key_match)


def _refresh_statistics(cursor: psycopg.Cursor, stream: Stream, written: int) -> None:
    """The stream's table analyzed, in the batch's transaction, when the batch wrote much of it
    (revgen.meta.ANALYZE_SHARE) or it was never analyzed: autovacuum gets there only minutes after
    a load, and the dbt build that follows would be planned on an empty table's guesses
    (kpi_speed_to_lead looped over every activity for every rep: 8 s at 100k people, not 0.5 s)."""
    if written:
        cursor.execute("select revgen_meta.refresh_statistics(%s::regclass)", (stream.table,))


def _record_run(
    cursor: psycopg.Cursor,
    stream: Stream,
    result: LoadResult,
    sha256: str,
    started,
    analyzed: bool = False,
) -> None:
    """The batch's end: its line in revgen_meta.load_runs (what was read, loaded, rejected, and
    when), the table's statistics when it changed much (unless the batch `analyzed` it), and its
    b-tree of `_loaded_at` once a batch replaced rows of it."""
    if not analyzed:
        _refresh_statistics(cursor, stream, result.rows_inserted + result.rows_updated)
    if result.rows_updated or result.rows_deleted:
        ensure_loaded_at_btree(cursor, stream)
    cursor.execute(
        """
        insert into revgen_meta.load_runs
            (batch_id, source, stream, file_name, file_sha256, started_at, finished_at,
             rows_read, rows_loaded, rows_rejected, rows_inserted, rows_updated)
        values (%s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, %s, %s, %s)
        """,
        (
            result.batch_id,
            result.source,
            result.stream,
            result.file_name,
            sha256,
            started,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.rows_inserted,
            result.rows_updated,
        ),
    )


def already_loaded(conn: psycopg.Connection, stream: Stream, file_name: str, sha256: str) -> bool:
    """Whether this file, with these very bytes, is what the stream last loaded under its name. A
    file re-exported identical to an older one (state A, then B, then A again) loads again."""
    row = conn.execute(
        "select file_sha256 = %s from revgen_meta.load_runs "
        "where source = %s and stream = %s and file_name = %s "
        "order by finished_at desc limit 1",
        (sha256, stream.source, stream.name, file_name),
    ).fetchone()
    return bool(row and row[0])


def server_clock(conn: psycopg.Connection) -> datetime:
    """The server's clock now, the clock revgen_meta.load_runs is written by (loaded_since)."""
    row = conn.execute("select clock_timestamp()").fetchone()
    assert row is not None
    return row[0]


def loaded_since(conn: psycopg.Connection, since: datetime) -> tuple[int, int, int, int]:
    """(export files, raw tables, rows loaded, rows rejected) of the batches that finished at or
    after `since` (read by server_clock before the run). A file mapped to two streams is one
    file loaded into two tables."""
    row = conn.execute(
        "select count(distinct (source, file_name)), count(distinct (source, stream)), "
        "coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) "
        "from revgen_meta.load_runs where finished_at >= %s",
        (since,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def load_records(
    conn: psycopg.Connection,
    stream: Stream,
    records: Iterable[Record],
    file_name: str,
    sha256: str,
    origin: str = "files",
    skip_if_loaded: bool = True,
    full_export: bool = False,
) -> LoadResult:
    """Load one file's records as one batch, in one transaction. The caller owns `conn`. A file
    that a concurrent load of the same stream has just loaded is skipped (checked under the
    stream's lock), so two loads at once never load it twice."""
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
        if skip_if_loaded and already_loaded(conn, stream, file_name, sha256):
            log.info("%s.%s %s: loaded meanwhile, skipped", stream.source, stream.name, file_name)
            result.skipped = True
            return result
        conn.execute(
            sql.SQL(
                "create temporary table _incoming (line bigint, _problem text, _problem_field text, "
                "_extra text, {}) "
                "on commit drop"
            ).format(incoming_cols)
        )
        with conn.cursor() as cursor:
            # CSV written by the csv module (C speed); an unquoted empty field is NULL
            with cursor.copy("copy _incoming from stdin with (format csv)") as copy:
                pending: list[str] = []
                size = 0
                for batch in batched(records, 5000):
                    text = _csv_text(batch)
                    if "\x00" in text or JSON_NUL in text:  # rare: then look at each record
                        text = _csv_text([_without_nul(record, stream) for record in batch])
                    pending.append(text)
                    size += len(text)
                    result.rows_read += len(batch)
                    if size >= COPY_BLOCK_BYTES:
                        copy.write("".join(pending))
                        pending, size = [], 0
                copy.write("".join(pending))
            for statement in _rejects_sql(stream):
                cursor.execute(statement)
            cursor.execute(
                sql.SQL("""
                insert into revgen_meta.rejects
                    (source, stream, file_name, file_sha256, line, field, value, reason,
                     batch_id, rejected_at, record_key)
                select %s, %s, %s, %s, r.line, r.field, r.value, r.reason, %s, %s, {}
                from _rejected r
                inner join _incoming i on i.line = r.line
                on conflict do nothing
            """).format(_key_text(stream, "i")),
                (stream.source, stream.name, file_name, sha256, batch_id, started),
            )
            rejected = cursor.execute("select count(*) from _rejected").fetchone()
            result.rows_rejected = int(rejected[0]) if rejected else 0
            counts = cursor.execute(
                _upsert_sql(stream),
                {"source": origin, "batch_id": batch_id, "loaded_at": started},
            ).fetchone()
            assert counts is not None
            result.rows_inserted, result.rows_updated = int(counts[0]), int(counts[1])
            if full_export:
                cursor.execute(
                    _mark_deleted_sql(stream), {"batch_id": batch_id, "loaded_at": started}
                )
                result.rows_deleted = cursor.rowcount
            _resolve_rejects(
                cursor,
                stream,
                sql.SQL("select {} from {}").format(_key_text(stream, "i"), CLEAN_INCOMING),
                batch_id,
                started,
            )
            result.rows_loaded = result.rows_read - result.rows_rejected
            _record_run(cursor, stream, result, sha256, started)
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
