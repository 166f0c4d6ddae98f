"""Every phase at one company size: the load against `psql \\copy`; then, each as its own process,
extract + load of both sources, the full dbt build, the GX suites, a next day's changed files loaded
and built incrementally; then the whole DAG (`airflow dags test`) on a fresh warehouse. The growth
run (`bench_growth`) keeps the phases and runs the DAG on a normal day instead."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import click

from revgen.bench.load import bench_load
from revgen.bench.next_day import write_next_day
from revgen.bench.phases import measured, python_command, revgen_command
from revgen.config import paths
from revgen.db import connect
from revgen.dbt import SCHEDULED
from revgen.generate import generate_company
from revgen.load.schema import drop_revgen_schemas

SOURCES = ("marketing", "crm")
# the bench's dbt builds run minutes apart: no margin for loads in flight (production keeps 1 h)
BUILT = {"REVGEN_LOOKBACK_HOURS": "0"}


def _load_sources(label: str, company: Path, log: Path, env: dict) -> list[dict]:
    """`revgen load` of each source's folder in `company`, each a phase of its own."""
    return [
        measured(
            f"{label} {source}",
            revgen_command("load", source, "--folder", str(company / source)),
            log,
            env,
        )
        for source in SOURCES
    ]


def _dbt_task_seconds() -> float:
    """Seconds the nightly DAG's dbt tasks ran, from Airflow's metadata (the latest run)."""
    import sqlite3

    from revgen.local_airflow import DAG_ID

    with sqlite3.connect(paths().airflow_home / "airflow.db") as db:
        (run_id,) = db.execute(
            "select run_id from dag_run where dag_id = ? order by id desc limit 1", (DAG_ID,)
        ).fetchone()
        spans = db.execute(
            "select julianday(end_date) - julianday(start_date) from task_instance "
            "where dag_id = ? and run_id = ? and task_id like 'dbt_%'",
            (DAG_ID, run_id),
        ).fetchall()
    return sum(span * 86400 for (span,) in spans)


def generated(people: int, workdir: Path) -> tuple[Path, dict]:
    """The bench's company of `people` (generated once): its folder and ground truth."""
    folder = workdir / f"company-{people}"
    click.echo(f"  {people:,} people")
    if not (folder / "ground_truth.json").exists():
        started = time.perf_counter()
        generate_company(people=people, seed=7, days=90, out=folder)
        click.echo(f"    generated in {time.perf_counter() - started:.0f} s")
    return folder, json.loads((folder / "ground_truth.json").read_text())


def bench_loads(url: str, people: int, repeat: int, workdir: Path) -> dict:
    """The load comparison alone at one company size (`revgen bench --load-only`)."""
    folder, _ = generated(people, workdir)
    return {"people": people, "repeat": repeat, "load": bench_load(url, folder, repeat, click.echo)}


def _nightly_phases(url: str, people: int, folder: Path, as_of: str, log: Path) -> dict:
    """On an emptied warehouse, each as its own process: extract + load of both sources, the full
    dbt build, the GX suites, a next day's changed files loaded and built incrementally."""
    env = {"DATABASE_URL": url}
    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
    phases = _load_sources("extract + load", folder, log, env)
    # the same vars (BUILT) for both builds, as every night has, so the incremental build parses
    # nothing again; each build is the nightly's (SCHEDULED: no unit tests)
    full = measured(
        "dbt build (full)",
        revgen_command("dbt", "--as-of", as_of, *SCHEDULED, "--full-refresh"),
        log,
        {**env, **BUILT},
    )
    quality = measured(
        "GX suites",
        python_command(
            "from revgen.db import warehouse_url; from revgen.pipeline import check_quality; "
            "print(check_quality(warehouse_url(), 'bench'))"
        ),
        log,
        env,
    )
    next_day = folder.parent / f"next-day-{people}"
    shutil.rmtree(next_day, ignore_errors=True)
    changes = write_next_day(folder, next_day, as_of)
    delta = _load_sources("next day: load", next_day, log, env)
    incremental = measured(
        "dbt build (incremental)",
        revgen_command("dbt", "--as-of", as_of, *SCHEDULED),
        log,
        {**env, **BUILT},
    )
    return {
        "phases": [*phases, full, quality, *delta, incremental],
        "load_seconds": sum(p["seconds"] for p in phases),
        "load_rss": max(p["rss_mib"] for p in phases),
        "full": full,
        "quality": quality,
        "incremental": incremental,
        "changes": changes,
    }


def _dag_test(url: str, people: int, landing: Path, as_of: str, name: str, env: dict) -> dict:
    """`airflow dags test` of the nightly with `landing`'s source folders as its landing folder:
    the run's wall seconds and its dbt tasks' seconds."""
    from revgen.demo import run_dag_test

    home = landing.parent / f"dag-home-{name}-{people}"
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    for source in SOURCES:
        (home / "landing" / source).symlink_to(landing / source)
    started = time.perf_counter()
    run_dag_test(url, as_of[:10], f"bench-{name}-{people}.log", {"REVGEN_HOME": str(home), **env})
    seconds = time.perf_counter() - started
    click.echo(f"    whole DAG ({name}): {seconds:.0f} s")
    return {"seconds": seconds, "dbt_seconds": _dbt_task_seconds()}


def bench_scale(url: str, people: int, repeat: int, workdir: Path) -> dict:
    """Every phase at one company size; figures for BENCHMARKS.md."""
    from revgen.load.schema import claim_for_demo

    folder, truth = generated(people, workdir)
    log = workdir / f"bench-{people}.log"
    log.write_text("")
    as_of = truth["generator"]["as_of"]
    result: dict = {"people": people, "raw_rows": sum(truth["rows"].values()), "repeat": repeat}
    result["load"] = bench_load(url, folder, repeat, click.echo)
    result.update(_nightly_phases(url, people, folder, as_of, log))

    # the whole DAG on a fresh warehouse, the company in its landing folder
    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
        claim_for_demo(conn, truth["generator"])
    dag = _dag_test(url, people, folder, as_of, "fresh", {})
    result["dag_seconds"], result["dag_dbt_seconds"] = dag["seconds"], dag["dbt_seconds"]
    return result


def bench_growth(url: str, people: int, workdir: Path) -> dict:
    """How the nightly grows with the company (`revgen bench --growth`): the phases of
    `bench_scale` without the load comparison, then the whole DAG on a normal day (a second day's
    changes, loaded and built incrementally on the warehouse the phases left) instead of on a fresh
    warehouse; and the disk the company takes, as files and in the warehouse."""
    folder, truth = generated(people, workdir)
    log = workdir / f"bench-{people}.log"
    log.write_text("")
    as_of = truth["generator"]["as_of"]
    result: dict = {"people": people, "raw_rows": sum(truth["rows"].values())}
    result.update(_nightly_phases(url, people, folder, as_of, log))
    day_two = workdir / f"day-two-{people}"
    shutil.rmtree(day_two, ignore_errors=True)
    result["day_two_changes"] = write_next_day(folder, day_two, as_of, day=2)
    result["normal_day_dag"] = _dag_test(url, people, day_two, as_of, "normal-day", BUILT)
    result["files_bytes"] = sum(f.stat().st_size for f in folder.rglob("*.csv"))
    with connect(url) as conn:
        size = conn.execute("select pg_database_size(current_database())").fetchone()
    result["warehouse_bytes"] = size[0] if size else 0
    return result
