"""revgen's loader against `psql \\copy` of the same files in the same run.

For each large stream: revgen's loader into an empty raw table, then `psql \\copy` into (a) the same
raw table, emptied, with the same defaults, and (b) a bare table with the contract's columns and
primary key; medians of repeats. The ratio is the figure that travels between machines.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from psycopg import sql

from revgen.contract import stream
from revgen.db import connect
from revgen.load.run import load_source
from revgen.load.schema import drop_revgen_schemas, ensure_schema, raw_table_ddl

LOAD_STREAMS = [
    ("marketing", "touchpoints"),
    ("marketing", "lead_scores"),
    ("marketing", "lifecycle_changes"),
    ("crm", "activities"),
    ("crm", "lead_history"),
]


def psql_binary() -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def _psql_copy(url: str, table: str, columns: list[str], path: Path, setup: str = "") -> float:
    script = (
        f"{setup}\\copy {table} ({', '.join(columns)}) from '{path}' "
        "with (format csv, header true)\n"
    )
    started = time.perf_counter()
    subprocess.run(
        [psql_binary(), url, "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
        check=True,
        input=script,
        text=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _referenced(target) -> list[str]:
    """The streams `target` refers to, and theirs, in contract order."""
    names: list[str] = []
    pending = [ref.stream for ref in target.references]
    while pending:
        name = pending.pop()
        if name not in names:
            names.append(name)
            pending += [ref.stream for ref in stream(target.source, name).references]
    return names


def bench_load(url: str, folder: Path, repeat: int = 3) -> list[dict]:
    rows = []
    for source, name in LOAD_STREAMS:
        target = stream(source, name)
        path = folder / source / f"{name}.csv"
        with open(path) as handle:
            header = handle.readline().strip().split(",")
        loader, psql_raw, psql_bare, count = [], [], [], 0
        for _ in range(repeat):
            with connect(url, autocommit=True) as conn:
                drop_revgen_schemas(conn)
                ensure_schema(conn)
            referenced = _referenced(target)
            if referenced:  # the ids this stream names must be there first (not timed)
                load_source(url, source, folder / source, streams=referenced)
            started = time.perf_counter()
            (result,) = load_source(url, source, folder / source, streams=[name])
            loader.append(time.perf_counter() - started)
            count = result.rows_loaded
            with connect(url, autocommit=True) as conn:
                conn.execute(sql.SQL("truncate {}").format(sql.Identifier(target.schema, name)))
                conn.execute("drop table if exists public.bench_bare")
                bare = (
                    raw_table_ddl(target)
                    .as_string(conn)
                    .replace(f'"{target.schema}"."{name}"', "public.bench_bare")
                )
                conn.execute(bare)
                conn.execute(
                    "alter table public.bench_bare drop column _source, "
                    "drop column _batch_id, drop column _loaded_at"
                )
            setup = (
                "select set_config('revgen.batch_id', gen_random_uuid()::text, false), "
                "set_config('revgen.source', 'files', false);\n"
            )
            psql_raw.append(_psql_copy(url, target.table, header, path, setup))
            psql_bare.append(_psql_copy(url, "public.bench_bare", header, path))
        with connect(url, autocommit=True) as conn:
            conn.execute("drop table if exists public.bench_bare")
        loader_s, raw_s, bare_s = (statistics.median(v) for v in (loader, psql_raw, psql_bare))
        rows.append(
            {
                "stream": f"{source}.{name}",
                "rows": count,
                "method": result.method,
                "loader_rows_s": count / loader_s,
                "psql_raw_rows_s": count / raw_s,
                "psql_bare_rows_s": count / bare_s,
                "ratio_raw": raw_s / loader_s,
                "ratio_bare": bare_s / loader_s,
            }
        )
    return rows
