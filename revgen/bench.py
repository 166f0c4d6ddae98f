"""`make bench`: every phase of a nightly run, on generated companies of growing size.

Per size: load speed against `psql \\copy` of the same files in the same run (for each large
stream: revgen's loader into an empty raw table, then `psql \\copy` into (a) the same raw table,
emptied, with the same defaults, and (b) a bare table with the contract's columns and primary
key; medians of repeats; the ratio is the figure that travels between machines); then, each as
its own process with its wall time and peak RSS: extract + load of both sources, the full dbt
build, the GX suites, a day of 1% changed and 1% new people loaded and built incrementally; then
the whole DAG (`airflow dags test`) on a fresh warehouse, and the DAG files' parse times.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import click
from psycopg import sql

from revgen.contract import stream
from revgen.db import connect
from revgen.errors import StepFailed
from revgen.generate import generate_company
from revgen.generate.files import read_csv, write_csv
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


# Runs a command and writes the peak RSS (KiB) of it and its descendants to argv[1]. A small
# interpreter starts the phase, as a child of a large one would inherit that one's peak RSS.
PEAK_RSS = (
    "import resource, subprocess, sys; "
    "code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def _measured(name: str, command: list[str], log: Path, env: dict | None = None) -> dict:
    """Run one phase as its own process: wall seconds and the peak RSS (MiB) of the process tree."""
    rss_file = log.with_suffix(".rss")
    started = time.perf_counter()
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        completed = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, str(rss_file), *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise StepFailed(f"bench phase {name!r} failed; its output is in {log}")
    rss_mib = int(rss_file.read_text()) / 1024
    click.echo(f"    {name}: {seconds:.1f} s, peak RSS {rss_mib:.0f} MiB")
    return {"phase": name, "seconds": seconds, "rss_mib": rss_mib}


def _revgen(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("revgen")), *args]


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def write_next_day(company: Path, out: Path, as_of: str, share: int = 100) -> dict[str, int]:
    """A day of changes: every `share`-th surviving contact is touched again (a new touchpoint, a
    new score, an activity on its lead) and as many new people arrive, each with a touchpoint."""
    when = (datetime.fromisoformat(as_of.replace("Z", "+00:00")) - timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )

    def first_row(path: Path) -> dict:
        with open(path, newline="") as handle:
            return next(csv.DictReader(handle))

    changed, new = [], []
    with open(company / "marketing" / "contacts.csv", newline="") as handle:
        for number, contact in enumerate(csv.DictReader(handle)):
            if contact["merged_into_id"] or contact["is_deleted"] == "true":
                continue
            if number % share == 0:
                changed.append({**contact, "updated_at": when})
            elif number % share == 1:
                new.append(
                    {
                        **contact,
                        "contact_id": "N" + contact["contact_id"],
                        "email": "new." + contact["email"],
                        "created_at": when,
                        "updated_at": when,
                    }
                )
    touch = first_row(company / "marketing" / "touchpoints.csv")
    score = first_row(company / "marketing" / "lead_scores.csv")
    activity = first_row(company / "crm" / "activities.csv")
    people = {c["contact_id"] for c in changed}
    leads = [
        lead for lead in read_csv(company / "crm" / "leads.csv") if lead["contact_id"] in people
    ]
    records = {
        "marketing/contacts-next-day.csv": changed + new,
        "marketing/touchpoints-next-day.csv": [
            {
                **touch,
                "touchpoint_id": "TN" + c["contact_id"],
                "contact_id": c["contact_id"],
                "visitor_id": "",
                "touched_at": when,
            }
            for c in changed + new
        ],
        "marketing/lead_scores-next-day.csv": [
            {
                **score,
                "score_id": "SN" + c["contact_id"],
                "contact_id": c["contact_id"],
                "score": "10",
                "scored_at": when,
            }
            for c in changed
        ],
        "crm/activities-next-day.csv": [
            {
                **activity,
                "activity_id": "AN" + lead["lead_id"],
                "lead_id": lead["lead_id"],
                "opportunity_id": "",
                "owner_id": lead["owner_id"],
                "started_at": when,
            }
            for lead in leads
        ],
    }
    for name, rows_ in records.items():
        if rows_:
            write_csv(out / name, rows_)
    return {"changed_people": len(changed), "new_people": len(new), "activities": len(leads)}


def _dbt_task_seconds() -> float:
    """Seconds the nightly DAG's dbt tasks ran, from Airflow's metadata (the latest run)."""
    import sqlite3

    from revgen.config import paths
    from revgen.local_airflow import DAG_ID

    with sqlite3.connect(paths().airflow_home / "airflow.db") as db:
        (run_id,) = db.execute(
            "select run_id from dag_run where dag_id = ? order by id desc limit 1", (DAG_ID,)
        ).fetchone()
        spans = db.execute(
            "select julianday(end_date) - julianday(start_date) from task_instance "
            "where dag_id = ? and run_id = ? and task_id like 'dbt_build_%'",
            (DAG_ID, run_id),
        ).fetchall()
    return sum(span * 86400 for (span,) in spans)


def bench_scale(url: str, people: int, repeat: int, workdir: Path) -> dict:
    """Every phase at one company size; figures for BENCHMARKS.md."""
    from revgen.demo import run_dag_test
    from revgen.load.schema import claim_for_demo

    folder = workdir / f"company-{people}"
    log = workdir / f"bench-{people}.log"
    log.write_text("")
    click.echo(f"  {people:,} people")
    if not (folder / "ground_truth.json").exists():
        started = time.perf_counter()
        generate_company(people=people, seed=7, days=90, out=folder)
        click.echo(f"    generated in {time.perf_counter() - started:.0f} s")
    truth = json.loads((folder / "ground_truth.json").read_text())
    as_of = truth["generator"]["as_of"]
    raw_rows = sum(truth["rows"].values())
    result: dict = {"people": people, "raw_rows": raw_rows, "repeat": repeat}
    result["load"] = bench_load(url, folder, repeat)

    env = {"DATABASE_URL": url}
    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
    phases = [
        _measured(
            "extract + load marketing",
            _revgen("load", "marketing", "--folder", str(folder / "marketing")),
            log,
            env,
        ),
        _measured(
            "extract + load crm", _revgen("load", "crm", "--folder", str(folder / "crm")), log, env
        ),
    ]
    full = _measured(
        "dbt build (full)", _revgen("dbt", "--as-of", as_of, "build", "--full-refresh"), log, env
    )
    quality = _measured(
        "GX suites",
        _python(
            "from revgen.db import warehouse_url; from revgen.pipeline import check_quality; "
            "print(check_quality(warehouse_url(), 'bench'))"
        ),
        log,
        env,
    )
    next_day = workdir / f"next-day-{people}"
    shutil.rmtree(next_day, ignore_errors=True)
    changes = write_next_day(folder, next_day, as_of)
    delta = [
        _measured(
            "next day: load marketing",
            _revgen("load", "marketing", "--folder", str(next_day / "marketing")),
            log,
            env,
        ),
        _measured(
            "next day: load crm",
            _revgen("load", "crm", "--folder", str(next_day / "crm")),
            log,
            env,
        ),
    ]
    # the runs here are minutes apart: no margin for loads in flight (production keeps 1 h)
    incremental = _measured(
        "dbt build (incremental)",
        _revgen("dbt", "--as-of", as_of, "build"),
        log,
        {**env, "REVGEN_LOOKBACK_HOURS": "0"},
    )
    result.update(
        phases=[*phases, full, quality, *delta, incremental],
        load_seconds=sum(p["seconds"] for p in phases),
        load_rss=max(p["rss_mib"] for p in phases),
        full=full,
        quality=quality,
        incremental=incremental,
        changes=changes,
    )

    # the whole DAG on a fresh warehouse, the company in its landing folder
    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
        claim_for_demo(conn, truth["generator"])
    home = workdir / f"dag-home-{people}"
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    for source in ("marketing", "crm"):
        (home / "landing" / source).symlink_to(folder / source)
    started = time.perf_counter()
    logical_date = as_of[:10]
    run_dag_test(url, logical_date, f"bench-{people}.log", {"REVGEN_HOME": str(home)})
    result["dag_seconds"] = time.perf_counter() - started
    result["dag_dbt_seconds"] = _dbt_task_seconds()
    click.echo(f"    whole DAG: {result['dag_seconds']:.0f} s")
    return result


def scale_table(results: list[dict]) -> str:
    def minutes(seconds: float) -> str:
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    lines = [
        "| people | raw rows | extract + load | rows/s | load peak RSS | dbt full build | "
        "dbt incremental (1% changed + 1% new) | incremental / full | GX suites | whole DAG | "
        "DAG dbt tasks / plain dbt build |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['people']:,} | {r['raw_rows']:,} | {minutes(r['load_seconds'])} | "
            f"{r['raw_rows'] / r['load_seconds']:,.0f} | {r['load_rss']:.0f} MiB | "
            f"{minutes(r['full']['seconds'])} | {minutes(r['incremental']['seconds'])} | "
            f"{r['incremental']['seconds'] / r['full']['seconds']:.2f} | "
            f"{minutes(r['quality']['seconds'])} | {minutes(r['dag_seconds'])} | "
            f"{r['dag_dbt_seconds'] / r['full']['seconds']:.2f} |"
        )
    return "\n".join(lines)


def rss_table(results: list[dict]) -> str:
    lines = ["| people | " + " | ".join(p["phase"] for p in results[0]["phases"]) + " |"]
    lines.append("|---" * (len(results[0]["phases"]) + 1) + "|")
    for r in results:
        cells = " | ".join(f"{p['seconds']:.1f} s / {p['rss_mib']:.0f} MiB" for p in r["phases"])
        lines.append(f"| {r['people']:,} | {cells} |")
    return "\n".join(lines)


def versions() -> str:
    return ", ".join(
        f"{name} {version(name)}"
        for name in ("apache-airflow", "dbt-core", "dbt-postgres", "great-expectations")
    )


def run(url: str, sizes: list[int], repeat: int, workdir: Path) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for people in sizes:
        results.append(bench_scale(url, people, repeat if people < 1_000_000 else 1, workdir))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parse = "\n".join(
        f"| {name} | {seconds:.2f} |" for name, seconds in dag_parse_seconds().items()
    )
    loads = "\n\n".join(
        f"### {r['people']:,} people (medians of {r['repeat']})\n\n{load_table(r['load'])}"
        for r in results
    )
    changes = "; ".join(
        f"{r['people']:,}: {r['changes']['changed_people']:,} changed and "
        f"{r['changes']['new_people']:,} new people, {r['changes']['activities']:,} activities"
        for r in results
    )
    return (
        f"Run {stamp}. Machine: {machine()}. {versions()}.\n\n"
        "## Every phase, by company size\n\n"
        "Each phase is its own process (wall time, one run). The incremental build follows a "
        f"day of changes ({changes}); it runs with no lookback margin since the bench's runs are "
        "minutes apart (production keeps 1 h for loads in flight). The whole DAG is "
        "`airflow dags test` on a fresh warehouse (load, dbt by layer, GX, alerts, report). "
        "Targets (this 2-core machine): incremental at most 0.10 of full at 1M people; whole DAG "
        "at most 15 min at 1M; load peak RSS at most 500 MB; DAG dbt tasks at most 1.3 x a plain "
        "dbt build.\n\n"
        f"{scale_table(results)}\n\n"
        "### Time and peak RSS of each phase\n\n"
        f"{rss_table(results)}\n\n"
        "## Load against `psql \\copy` of the same files (first load into empty tables; target "
        f"0.8)\n\n{loads}\n\n"
        "## DAG files: parse time (median of 3, a fresh interpreter each; target 2 s)\n\n"
        f"| file | seconds |\n|---|---|\n{parse}\n"
    )
