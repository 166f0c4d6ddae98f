"""`make bench`: load speed against `psql \\copy` of the same files, in the same run.

For each large stream of a generated company: load it with revgen's loader into an empty raw
table, then `psql \\copy` the same file into (a) the same raw table, emptied, with the same
defaults, and (b) a bare table with the contract's columns and primary key. Medians of repeats.
The ratio (loader rows/s ÷ psql rows/s) is the figure that travels between machines.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from psycopg import sql

from revgen.contract import stream
from revgen.db import connect
from revgen.generate import generate_company
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


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}, Python "
        f"{platform.python_version()}, PostgreSQL 16 (pgserver {version('pgserver')}), "
        f"psycopg {version('psycopg')}"
    )


def load_table(results: list[dict]) -> str:
    lines = [
        "| stream | rows | path | loader rows/s | psql \\copy same raw table rows/s | "
        "ratio | psql \\copy bare table rows/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['stream']} | {r['rows']:,} | {r['method']} | {r['loader_rows_s']:,.0f} | "
            f"{r['psql_raw_rows_s']:,.0f} | {r['ratio_raw']:.2f} | "
            f"{r['psql_bare_rows_s']:,.0f} | {r['ratio_bare']:.2f} |"
        )
    return "\n".join(lines)


def dag_parse_seconds(repeat: int = 3) -> dict[str, float]:
    """Median seconds for a fresh interpreter to import each DAG file (what a dag-processor pays)."""
    import sys

    from revgen.config import paths

    timings = {}
    for dag_file in sorted(paths().dags.glob("*.py")):
        runs = []
        for _ in range(repeat):
            code = (
                "import time, runpy; t = time.perf_counter(); "
                f"runpy.run_path({str(dag_file)!r}); print(time.perf_counter() - t)"
            )
            out = subprocess.run(
                [sys.executable, "-c", code],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"},
            )
            runs.append(float(out.stdout.strip().splitlines()[-1]))
        timings[dag_file.name] = statistics.median(runs)
    return timings


def run(url: str, people: int, repeat: int, workdir: Path) -> str:
    folder = workdir / f"company-{people}"
    if not (folder / "ground_truth.json").exists():
        generate_company(people=people, seed=7, days=90, out=folder)
    results = bench_load(url, folder, repeat)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parse = "\n".join(
        f"| {name} | {seconds:.2f} |" for name, seconds in dag_parse_seconds().items()
    )
    return (
        f"## Load: {people:,} people ({stamp})\n\nMachine: {machine()}.\n"
        f"Medians of {repeat} runs; first load into empty tables.\n\n{load_table(results)}\n\n"
        "## DAG files: parse time (median of 3, a fresh interpreter each; target 2 s)\n\n"
        f"| file | seconds |\n|---|---|\n{parse}\n"
    )
