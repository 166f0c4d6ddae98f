"""`make demo`: a demo company through the real nightly DAG, then the summary and where to look."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from datetime import datetime
from pathlib import Path

import click

from revgen.config import paths
from revgen.db import (
    check_reachable,
    connect,
    psql_command,
    redact,
    uses_local_server,
    warehouse_url,
)
from revgen.errors import ConfigError, StepFailed
from revgen.generate import generate_company
from revgen.load.copy import loaded_since, server_clock
from revgen.load.schema import claim_for_demo
from revgen.local_airflow import DAG_ID, airflow_binary, dags_test_env
from revgen.policy import company_policy_path
from revgen.report.html import write_report
from revgen.report.summary import format_summary, read_summary
from revgen.sources.files.mapping import MAPPING_FILE

TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\w+)")


def run_dag_test(
    url: str, logical_date: str, log_name: str, extra_env: dict | None = None, dag_id: str = DAG_ID
) -> str:
    """`airflow dags test` a DAG (the nightly one by default); echo each finished task; return
    the log path."""
    env = dags_test_env(url, extra_env)
    log_path = paths().home / "logs" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [airflow_binary(), "dags", "test", dag_id, logical_date],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log_file.write(line)
            match = TASK_END.search(line)
            if match:
                click.echo(f"  [{time.monotonic() - started:5.1f}s] {match.group(1)} done")
        process.wait()
    text = log_path.read_text()
    failed = process.returncode != 0 or "state=failed" in text
    if failed:
        tail = "\n".join(text.splitlines()[-25:])
        raise StepFailed(f"The DAG {dag_id} failed; last lines of {log_path}:\n{tail}")
    if not TASK_END.search(text):
        raise StepFailed(
            f"The DAG {dag_id} ran no task for {logical_date} (Airflow printed success, but "
            f"nothing was loaded or built): is the date before the DAG's start date, or the DAG "
            f"paused or missing? See {log_path}."
        )
    return str(log_path)


def print_outcome(url: str, log_path: str, ground_truth: Path | None = None) -> None:
    """After a run: the funnel summary, where to look next, and the report's path."""
    click.echo("")
    click.echo(format_summary(read_summary(url)))
    click.echo("")
    click.echo("Where to look next:")
    # the commands must reach this home's warehouse, not the default one
    home = os.environ.get("REVGEN_HOME")
    env = f"REVGEN_HOME={shlex.quote(home)} " if home else ""
    click.echo(
        f'  warehouse     {psql_command()} "$({env}.venv/bin/revgen db url)"   '
        "(schemas marts, raw_*, revgen_meta)"
    )
    click.echo("  orphans       select * from marts.orphaned_leads order by hours_orphaned desc;")
    click.echo("  rejects       select * from revgen_meta.rejects;")
    if ground_truth is not None:
        click.echo(f"  ground truth  {ground_truth}")
    click.echo(f"  run log       {log_path}")
    click.echo(f"  Airflow UI    {env}make airflow")
    click.echo("")
    click.echo(f"Funnel report (open it in a browser): {write_report(url)}")


def run_nightly(as_of: str) -> str:
    """`revgen run --as-of DAY`: the nightly DAG for the day that ends at DAY's midnight (UTC),
    on whatever the landing folder holds; prints the outcome; returns the log path."""
    url = warehouse_url()
    check_reachable(url)
    with connect(url) as conn:
        started = server_clock(conn)
    click.echo(f"running the Airflow DAG {DAG_ID} as of {as_of} (airflow dags test)")
    log_path = run_dag_test(url, as_of, f"run-{as_of}.log")
    with connect(url) as conn:
        files, tables, loaded, rejected = loaded_since(conn, started)
    if files:
        click.echo(
            f"  loaded {files} export file(s) into {tables} raw table(s): {loaded:,} rows, "
            f"{rejected:,} rejected"
        )
    else:
        click.echo(
            f"  no new export file: every file in {paths().landing} was loaded before (same name "
            f"and content); the marts were built as of {as_of} from what the warehouse holds"
        )
    print_outcome(url, log_path)
    return log_path


def run_demo(people: int, seed: int, days: int) -> None:
    here = paths()
    click.echo(
        "1/3 warehouse: "
        + ("starting the project-local PostgreSQL" if uses_local_server() else "using DATABASE_URL")
    )
    if company_policy_path().exists() or any(here.landing.glob(f"*/{MAPPING_FILE}")):
        raise ConfigError(
            f"{here.home} holds a company's own data (brought with `revgen bring`): the demo will "
            "not write over it. Run the demo with another REVGEN_HOME "
            "(REVGEN_HOME=/tmp/revgen-demo make demo), or `make clean` to delete all local data."
        )
    url = warehouse_url()
    check_reachable(url)
    click.echo(f"    {redact(url)}")

    click.echo(f"2/3 generating a demo company: {people:,} people, {days} days, seed {seed}")
    truth = generate_company(people=people, seed=seed, days=days, out=here.landing)
    as_of = truth["generator"]["as_of"]
    click.echo(f"    {sum(truth['rows'].values()):,} rows in {here.landing}")
    with connect(url, autocommit=True) as conn:
        if claim_for_demo(conn, truth["generator"]):
            click.echo("    (the warehouse held another demo company: emptied it first)")

    logical_date = datetime.fromisoformat(as_of.replace("Z", "+00:00")).date().isoformat()
    click.echo(f"3/3 running the Airflow DAG {DAG_ID} for {logical_date} (airflow dags test)")
    log_path = run_dag_test(url, logical_date, f"demo-{logical_date}.log")
    print_outcome(url, log_path, here.landing / "ground_truth.json")
