"""revgen's loader against `psql \\copy` and the tools a user would otherwise pick (`peers.py`), on
the same files in the same run: the first load of each large stream, and the second (tomorrow's
full export of it, 1% changed and 1% new: `next_day.write_full_export`).

For each stream: revgen's loader into an empty raw table, then tomorrow's file into it; `psql
\\copy` into (a) the same raw table, emptied, with the same defaults, and (b) a bare table with the
contract's columns and primary key, then its merge; dlt's and pandas' loads and merges. Medians of
repeats; the slow paths (dlt's defaults, pandas) run once. The ratio to `psql \\copy` is the figure
that travels between machines.
"""

from __future__ import annotations

import json
import logging
import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from psycopg import sql

from revgen.bench import peers
from revgen.bench.next_day import write_full_export
from revgen.contract import Stream, stream
from revgen.db import connect
from revgen.load.direct import bulk_load_sql, primary_key_name
from revgen.load.run import load_source
from revgen.load.schema import drop_revgen_schemas, ensure_schema

LOAD_STREAMS = [
    ("marketing", "touchpoints"),
    ("marketing", "lead_scores"),
    ("marketing", "lifecycle_changes"),
    ("crm", "activities"),
    ("crm", "lead_history"),
]
# (label, dlt file format) of a first load; (label, merge strategy) of a second
DLT_FIRST = [("dlt parquet/ADBC", "parquet"), ("dlt csv", "csv")]
DLT_DEFAULTS = ("dlt defaults (insert_values)", "insert_values")
DLT_MERGES = [("dlt upsert (MERGE)", "upsert"), ("dlt delete-insert", "delete-insert")]


def _referenced(target: Stream) -> list[str]:
    """The streams `target` refers to, and theirs, in contract order."""
    names: list[str] = []
    pending = [ref.stream for ref in target.references]
    while pending:
        name = pending.pop()
        if name not in names:
            names.append(name)
            pending += [ref.stream for ref in stream(target.source, name).references]
    return names


def tomorrows_file(folder: Path, target: Stream) -> Path:
    """Tomorrow's full export of `target` beside the company `folder` (written once)."""
    path = folder.parent / f"{folder.name}-tomorrow" / target.source / f"{target.name}.csv"
    if not path.exists():
        as_of = json.loads((folder / "ground_truth.json").read_text())["generator"]["as_of"]
        write_full_export(folder / target.source / f"{target.name}.csv", path, target, as_of)
    return path


def _timed_loads(url: str, target: Stream, folder: Path, tomorrow: Path) -> tuple:
    """revgen's first and second load into a fresh warehouse: (first, second) LoadResults and
    their seconds."""
    import time

    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
        ensure_schema(conn)
    referenced = _referenced(target)
    if referenced:  # the ids this stream names must be there first (not timed)
        load_source(url, target.source, folder / target.source, streams=referenced)
    started = time.perf_counter()
    (first,) = load_source(url, target.source, folder / target.source, streams=[target.name])
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    (second,) = load_source(url, target.source, tomorrow.parent, streams=[target.name])
    return first, second, first_s, time.perf_counter() - started


def _psql_runs(url: str, target: Stream, header: list[str], path: Path, tomorrow: Path) -> dict:
    """`psql \\copy` into the raw table (emptied; its rows stamped and its key built as revgen's
    first load does it, `direct.bulk_load_sql`), into a bare table, and the bare table's merge of
    tomorrow's file: seconds of each."""
    raw = sql.Identifier(target.schema, target.name)
    with connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("truncate {}").format(raw))
        with conn.cursor() as cursor:
            pkey = primary_key_name(cursor, target)
    before, after = (
        statement.as_string()
        for statement in bulk_load_sql(target, pkey, "files", str(uuid.uuid4()))
    )
    script = f"begin;\n{before};\n{peers.copy_command(raw, header, path)}{after};\ncommit;\n"
    seconds = {"psql raw": peers.run_psql(url, script)}
    peers.reset_schema(url)
    bare = peers.bare_table(url, target)
    seconds["psql bare"] = peers.run_psql(url, peers.copy_command(bare, header, path))
    seconds["psql upsert"] = peers.run_psql(
        url, peers.psql_merge_script(target, bare, header, tomorrow)
    )
    return seconds


def _peer_runs(
    url: str, workdir: Path, target: Stream, header: list[str], path: Path, tomorrow: Path
) -> tuple[dict, dict]:
    """dlt's fast first loads and merges (first load untimed, then the merge timed): seconds."""
    first: dict[str, float] = {}
    second: dict[str, float] = {}

    def dlt(file_format: str, disposition, source: Path) -> float:
        return peers.dlt_run(url, workdir, target, header, source, file_format, disposition)

    for label, file_format in DLT_FIRST:
        peers.dlt_reset(url, workdir)
        first[label] = dlt(file_format, "append", path)
    for label, strategy in DLT_MERGES:
        peers.dlt_reset(url, workdir)
        disposition = {"disposition": "merge", "strategy": strategy}
        dlt("parquet", disposition, path)
        second[label] = dlt("parquet", disposition, tomorrow)
    peers.dlt_reset(url, workdir)
    return first, second


# dlt's defaults and pandas run 20-90 times slower than `psql \copy` (100k people: 80 s and 33 s
# for 1M touchpoints); past this many rows of a stream they are not run (the table says so)
SLOW_PEERS_MAX_ROWS = 2_000_000


def _slow_runs(
    url: str, workdir: Path, target: Stream, header: list[str], path: Path, tomorrow: Path
) -> tuple[dict, dict]:
    """dlt's defaults and pandas' `to_sql` (first load, then the merge): seconds, one run."""
    label, file_format = DLT_DEFAULTS
    peers.dlt_reset(url, workdir)
    first = {label: peers.dlt_run(url, workdir, target, header, path, file_format, "append")}
    peers.dlt_reset(url, workdir)
    peers.bare_table(url, target)
    first["pandas to_sql"] = peers.pandas_to_sql(url, target, header, path, merge=False)
    second = {"pandas to_sql + upsert": peers.pandas_to_sql(url, target, header, tomorrow, True)}
    peers.reset_schema(url)
    return first, second


def bench_load(
    url: str, folder: Path, repeat: int = 3, progress: Callable[[str], None] = print
) -> list[dict]:
    """Every tool's first and second load of each stream in LOAD_STREAMS: seconds (medians)."""
    peers.quiet_dlt()
    logging.getLogger("revgen.load").setLevel(logging.WARNING)
    workdir = folder.parent / "peers"
    rows = []
    for source, name in LOAD_STREAMS:
        target = stream(source, name)
        path = folder / source / f"{name}.csv"
        tomorrow = tomorrows_file(folder, target)
        with open(path) as handle:
            header = handle.readline().strip().split(",")
        first: dict[str, list[float]] = defaultdict(list)
        second: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeat):
            loaded, merged, first_s, second_s = _timed_loads(url, target, folder, tomorrow)
            first["revgen"].append(first_s)
            second["revgen"].append(second_s)
            for label, seconds in _psql_runs(url, target, header, path, tomorrow).items():
                (second if label == "psql upsert" else first)[label].append(seconds)
            dlt_first, dlt_second = _peer_runs(url, workdir, target, header, path, tomorrow)
            for label, seconds in dlt_first.items():
                first[label].append(seconds)
            for label, seconds in dlt_second.items():
                second[label].append(seconds)
        slow_first, slow_second = (
            _slow_runs(url, workdir, target, header, path, tomorrow)
            if loaded.rows_loaded <= SLOW_PEERS_MAX_ROWS
            else ({}, {})
        )
        row = {
            "stream": f"{source}.{name}",
            "rows": loaded.rows_loaded,
            "method": loaded.method,
            "second_rows": merged.rows_read,
            "second_written": merged.rows_inserted + merged.rows_updated,
            "second_method": merged.method,
            "first": {
                **{k: statistics.median(v) for k, v in first.items()},
                **slow_first,
            },
            "second": {
                **{k: statistics.median(v) for k, v in second.items()},
                **slow_second,
            },
        }
        progress(
            f"    {row['stream']}: first "
            + ", ".join(f"{k} {v:.2f} s" for k, v in row["first"].items())
            + "; second "
            + ", ".join(f"{k} {v:.2f} s" for k, v in row["second"].items())
        )
        rows.append(row)
    return rows
