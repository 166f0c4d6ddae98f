"""The `revgen` command."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from revgen.config import paths
from revgen.errors import RevgenError


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def cli(verbose: bool) -> None:
    """revgen: marketing and sales as one measured revenue process."""
    _setup_logging(verbose)


@cli.command()
@click.option(
    "--dbt-sources",
    "source",
    default=None,
    type=click.Choice(["marketing", "crm"]),
    help="Print dbt's sources yml of that raw schema instead.",
)
def contract(source: str | None) -> None:
    """Print the raw contract as Markdown (docs/raw_contract.md), or a source's dbt sources yml."""
    from revgen.contract import dbt_sources, markdown

    click.echo(dbt_sources(source) if source else markdown(), nl=False)


# ---------------------------------------------------------------------------------------- db
@cli.group()
def db() -> None:
    """The warehouse: the project-local PostgreSQL, or DATABASE_URL when set."""


@db.command("up")
def db_up() -> None:
    """Start the local PostgreSQL (initialising it on first use) and print its URL."""
    from revgen.db import check_reachable, uses_local_server, warehouse_url

    url = warehouse_url(start_local=True)
    check_reachable(url)
    if not uses_local_server():
        click.echo("DATABASE_URL is set: using that server, no local one started.", err=True)
    click.echo(url)


@db.command("down")
def db_down() -> None:
    """Stop the local PostgreSQL."""
    from revgen.db import local_server

    server = local_server()
    click.echo("stopped" if server.down() else f"not running ({server.pgdata})")


@db.command("url")
def db_url() -> None:
    """Print the warehouse URL (starting the local server if needed)."""
    from revgen.db import warehouse_url

    click.echo(warehouse_url(start_local=True))


@db.command("reset")
@click.confirmation_option(
    prompt="Drop revgen's schemas (raw_*, revgen_meta, staging, "
    "intermediate, marts) and all their data?"
)
def db_reset() -> None:
    """Drop revgen's schemas and all their data (raw, bookkeeping, models)."""
    from revgen.db import connect, redact, warehouse_url
    from revgen.load.schema import drop_revgen_schemas

    url = warehouse_url()
    with connect(url, autocommit=True) as conn, conn.transaction():
        drop_revgen_schemas(conn)
    click.echo(f"dropped revgen's schemas in {redact(url)}")


@db.command("status")
def db_status() -> None:
    """Say whether the local PostgreSQL runs."""
    from revgen.db import local_server, redact

    server = local_server()
    pid = server.pid()
    click.echo(
        f"running (pid {pid}): {redact(server.url())}" if pid else f"stopped ({server.pgdata})"
    )


# ---------------------------------------------------------------------------------- generate
@cli.command()
@click.option("--people", default=1000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--days", default=90, show_default=True, type=click.IntRange(7))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write (default: REVGEN_HOME/landing).",
)
def generate(people: int, seed: int, days: int, out: Path | None) -> None:
    """Write a deterministic demo company and its ground truth."""
    from revgen.generate import generate_company

    out = out or paths().landing
    truth = generate_company(people=people, seed=seed, days=days, out=out)
    click.echo(f"wrote {sum(truth['rows'].values())} rows for {people} people to {out}")
    click.echo(f"ground truth: {out / 'ground_truth.json'}")


# -------------------------------------------------------------------------------------- load
@cli.command()
@click.argument("source", type=click.Choice(["marketing", "crm"]))
@click.option(
    "--folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Landing folder of the source (default: REVGEN_HOME/landing/SOURCE).",
)
@click.option("--force", is_flag=True, help="Reload files already loaded.")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Take only files whose name carries a date before this day (as a run ending then).",
)
def load(source: str, folder: Path | None, force: bool, until) -> None:
    """Load a source's files into the raw schema."""
    from revgen.db import warehouse_url
    from revgen.load.run import load_source

    results = load_source(
        warehouse_url(),
        source,
        folder or paths().landing / source,
        force=force,
        until=until.date() if until else None,
    )
    for result in results:
        click.echo(json.dumps(result.as_dict()))


# --------------------------------------------------------------------------------------- dbt
@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--as-of", default=None, help="The as-of time (ISO 8601); default: now.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def dbt(as_of: str | None, args: tuple[str, ...]) -> None:
    """Run dbt with the warehouse, the policy file and the as-of time: revgen dbt build ..."""
    from revgen.db import warehouse_url
    from revgen.dbt import run_dbt

    sys.exit(run_dbt(warehouse_url(), list(args), as_of=as_of, check=False))


# ----------------------------------------------------------------------------------- airflow
@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def airflow(args: tuple[str, ...]) -> None:
    """Run the `airflow` command with revgen's AIRFLOW_HOME, DAGs and warehouse connection."""
    from revgen.local_airflow import airflow_command, refuse_misleading

    refuse_misleading(list(args))
    os.execvpe(*airflow_command(list(args)))


@cli.command("airflow-ui")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--executor",
    default="local",
    show_default=True,
    type=click.Choice(["local", "celery"]),
    help="local: airflow standalone (LocalExecutor); celery: the CeleryExecutor with two workers.",
)
@click.option(
    "--redis",
    "redis_url",
    default="redis://127.0.0.1:6379",
    show_default=True,
    help="The Redis the CeleryExecutor uses (broker: db 0, results: db 1).",
)
def airflow_ui(port: int, executor: str, redis_url: str) -> None:
    """Start Airflow (metadata on the local PostgreSQL) on 127.0.0.1 with revgen's DAGs.
    Ctrl-C, SIGINT or SIGTERM stops it and every process it started."""
    import signal

    from revgen.db import warehouse_url
    from revgen.local_airflow import (
        login_hint,
        start_celery,
        start_standalone,
        stop_process_group,
        wait_healthy,
    )

    def stop(signum, frame):  # SIGTERM (service managers, `kill`) ends as Ctrl-C does
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    if executor == "celery":
        process = start_celery(warehouse_url(), port, redis_url)
    else:
        process = start_standalone(warehouse_url(), port)
    try:
        click.echo("starting Airflow (about a minute)...")
        wait_healthy(port, process)
        click.echo(f"Airflow is up: http://127.0.0.1:{port}  ({login_hint()})")
        click.echo("Ctrl-C stops it.")
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the clean-up
        stop_process_group(process)
        click.echo("Airflow stopped.")


# -------------------------------------------------------------------------------------- demo
@cli.command()
@click.option("--people", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--days", default=90, show_default=True, type=click.IntRange(7))
def demo(people: int, seed: int, days: int) -> None:
    """Generate a demo company, run the nightly DAG on it, print the summary."""
    from revgen.demo import run_demo

    run_demo(people=people, seed=seed, days=days)


def _day(value: str | None) -> str:
    """An as-of day (YYYY-MM-DD), today (UTC) when not given."""
    from datetime import UTC, date, datetime

    if value is None:
        return datetime.now(UTC).date().isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected a day such as 2018-01-01") from None


@cli.command()
@click.option(
    "--as-of",
    default=None,
    help="The day the run describes (YYYY-MM-DD): the run covers the day before and computes "
    "everything as of this day's midnight, UTC. Default: today.",
)
def run(as_of: str | None) -> None:
    """Run the nightly DAG once, as of a day (historic exports too), on the landing folder."""
    from revgen.demo import run_nightly

    run_nightly(_day(as_of))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--exports",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder holding the export files (default: beside each mapping.yml in FOLDER).",
)
@click.option("--as-of", default=None, help="The day the first run describes (default: today).")
@click.option("--no-run", is_flag=True, help="Set up the landing folders only.")
def bring(folder: Path, exports: Path | None, as_of: str | None, no_run: bool) -> None:
    """Bring a company's own exports in: FOLDER holds <source>/mapping.yml and an optional
    policy.yml (see examples/). Clears the demo company, then runs the nightly DAG."""
    from revgen.bring import bring as bring_company

    bring_company(folder, exports, _day(as_of), run=not no_run)


@cli.command()
@click.option(
    "--people",
    default="10000,100000,1000000",
    show_default=True,
    help="Company sizes, comma-separated.",
)
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(1))
@click.option(
    "--load-only",
    is_flag=True,
    help="Only the load comparison (revgen, psql, dlt, pandas): replaces that section.",
)
@click.option(
    "--growth",
    is_flag=True,
    help="Only the phases and the DAG on a normal day, e.g. at 1000000,10000000 people: "
    "replaces the growth section.",
)
def bench(people: str, repeat: int, load_only: bool, growth: bool) -> None:
    """Measure every phase at each company size; write BENCHMARKS.md (empties revgen's schemas)."""
    from revgen.bench import run, run_growth, run_loads
    from revgen.bench.tables import GROWTH_HEADING, section, with_section
    from revgen.db import warehouse_url

    try:
        sizes = [int(size) for size in people.split(",")]
    except ValueError:
        raise click.BadParameter(f"{people!r}: expected sizes like 10000,100000") from None
    target = paths().root / "BENCHMARKS.md"
    current = target.read_text() if target.exists() else "# revgen benchmarks\n"
    if load_only or growth:
        part = "growth" if growth else "load"
        target.write_text(
            run_growth(warehouse_url(), sizes, paths().home / "bench", current)
            if growth
            else run_loads(warehouse_url(), sizes, repeat, paths().home / "bench", current)
        )
        click.echo(f"{part} section written to {target}")
        return
    report = run(warehouse_url(), sizes, repeat, paths().home / "bench")
    written = (
        "# revgen benchmarks\n\nWritten by `make bench` (`revgen bench`). The ratio "
        "against `psql \\copy` of the same files in the same run is the figure that "
        "travels between machines.\n\n" + report
    )
    grown = section(current, GROWTH_HEADING)  # a growth run's section stays until the next one
    target.write_text(with_section(written, GROWTH_HEADING, grown) if grown else written)
    click.echo(report)
    click.echo(f"written to {target}")


@cli.command()
def report() -> None:
    """Write the HTML funnel report from the marts and print its path."""
    from revgen.db import warehouse_url
    from revgen.report.html import write_report

    click.echo(write_report(warehouse_url()))


@cli.command()
def summary() -> None:
    """Print the funnel summary from the marts."""
    from revgen.db import warehouse_url
    from revgen.report.summary import format_summary, read_summary

    click.echo(format_summary(read_summary(warehouse_url())))


def main() -> None:
    # what revgen writes (exports in the landing folder, reports, logs, dbt's files) holds
    # people's data: readable by this user only, whatever the shell's umask
    os.umask(0o077)
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except RevgenError as err:
        click.echo(f"revgen: {err}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # python -m revgen.cli works like the revgen command
    main()
