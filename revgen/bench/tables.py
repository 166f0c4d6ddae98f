"""BENCHMARKS.md's Markdown: the machine and versions, the tables of each part, and the page."""

from __future__ import annotations

import os
import platform
from datetime import datetime
from importlib.metadata import version


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}, Python "
        f"{platform.python_version()}, PostgreSQL 16 (pgserver {version('pgserver')}), "
        f"psycopg {version('psycopg')}"
    )


def versions() -> str:
    return ", ".join(
        f"{name} {version(name)}"
        for name in ("apache-airflow", "dbt-core", "dbt-postgres", "great-expectations")
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


def page(results: list[dict], parse_seconds: dict[str, float], finished: datetime) -> str:
    """The report: the results of every size (`bench_scale`'s), finished at `finished`, and each DAG
    file's parse time."""
    stamp = finished.strftime("%Y-%m-%d %H:%M UTC")
    parse = "\n".join(f"| {name} | {seconds:.2f} |" for name, seconds in parse_seconds.items())
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
