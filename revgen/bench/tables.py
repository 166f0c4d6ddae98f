"""BENCHMARKS.md's Markdown: the machine and versions, the tables of each part, and the page."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import version

from revgen.bench.load import SLOW_PEERS_MAX_ROWS


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
    """revgen's first load against `psql \\copy` into the same raw table and into a bare one."""
    lines = [
        "| stream | rows | path | loader rows/s | psql \\copy same raw table rows/s | "
        "ratio | psql \\copy bare table rows/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        first, rows = r["first"], r["rows"]
        lines.append(
            f"| {r['stream']} | {rows:,} | {r['method']} | {rows / first['revgen']:,.0f} | "
            f"{rows / first['psql raw']:,.0f} | {first['psql raw'] / first['revgen']:.2f} | "
            f"{rows / first['psql bare']:,.0f} | {first['psql bare'] / first['revgen']:.2f} |"
        )
    return "\n".join(lines)


FIRST_TOOLS = [
    "psql bare",
    "revgen",
    "dlt parquet/ADBC",
    "dlt csv",
    "dlt defaults (insert_values)",
    "pandas to_sql",
]
SECOND_TOOLS = [
    "revgen",
    "psql upsert",
    "dlt upsert (MERGE)",
    "dlt delete-insert",
    "pandas to_sql + upsert",
]

LABELS = {"psql bare": "psql \\copy", "psql upsert": "psql \\copy + upsert"}
NOT_RUN = "not run (a stream this large takes them minutes)"


def peers_tables(results: list[dict]) -> str:
    """Every tool's first load (seconds, and speed as a share of `psql \\copy` into a bare table)
    and second load (seconds), stream by stream."""
    first = [
        "| stream | rows | " + " | ".join(LABELS.get(t, t) for t in FIRST_TOOLS) + " |",
        "|---|---|" + "---|" * len(FIRST_TOOLS),
    ]
    for r in results:
        limit = r["first"]["psql bare"]
        cells = " | ".join(
            f"{r['first'][tool]:.2f} s ({limit / r['first'][tool]:.2f})"
            if tool in r["first"]
            else NOT_RUN
            for tool in FIRST_TOOLS
        )
        first.append(f"| {r['stream']} | {r['rows']:,} | {cells} |")
    second = [
        "| stream | rows (written) | "
        + " | ".join(LABELS.get(t, t) for t in SECOND_TOOLS)
        + " | revgen / fastest dlt merge |",
        "|---|---|" + "---|" * (len(SECOND_TOOLS) + 1),
    ]
    for r in results:
        times = r["second"]
        fastest_dlt = min(times[tool] for tool in SECOND_TOOLS if tool.startswith("dlt"))
        cells = " | ".join(
            f"{times[tool]:.2f} s" if tool in times else NOT_RUN for tool in SECOND_TOOLS
        )
        second.append(
            f"| {r['stream']} | {r['second_rows']:,} ({r['second_written']:,}, "
            f"{r['second_method']}) | {cells} | {times['revgen'] / fastest_dlt:.2f} |"
        )
    return (
        "First load into an empty table: seconds (speed as a share of `psql \\copy` into a bare "
        "table with the primary key).\n\n"
        + "\n".join(first)
        + "\n\nSecond load, tomorrow's full export (1% changed, 1% new): seconds; revgen's path and "
        "the rows it wrote in brackets.\n\n" + "\n".join(second)
    )


def load_sections(results: list[dict]) -> str:
    """The load part of the page: at each size, revgen against `psql \\copy`, then every tool."""
    sizes = "\n\n".join(
        f"### {r['people']:,} people (medians of {r['repeat']}; dlt's defaults and pandas: one "
        f"run, on streams of at most {SLOW_PEERS_MAX_ROWS:,} rows)\n\n{load_table(r['load'])}\n\n{peers_tables(r['load'])}"
        for r in results
    )
    return (
        f"{LOAD_HEADING}\n\n"
        "Same files, same run. The peers: `psql \\copy` into a bare table (the limit; the second "
        "load `\\copy` into a temporary table and one `insert ... on conflict do update`); dlt "
        f"{version('dlt')} (its fastest path: Arrow reads the CSV, parquet, loaded by ADBC; its "
        "`csv` format; its defaults; merges on the fastest path, primary key declared); pandas "
        f"{version('pandas')} `to_sql` (default method; the second load into a staging table, then "
        "the same upsert). Targets: first load at least 0.8 of `psql \\copy` and ahead of every "
        "peer; second load faster than dlt's fastest merge.\n\n"
        f"{sizes}\n"
    )


def with_load_section(current: str, results: list[dict], finished: datetime) -> str:
    """`current` (BENCHMARKS.md) with its load section replaced by `results`' (a load-only run,
    stamped with its date and machine); the section is added at the end when missing."""
    stamp = finished.strftime("%Y-%m-%d %H:%M UTC")
    section = load_sections(results).replace(
        "\n\n",
        f"\n\nLoad-only run {stamp} (`revgen bench --load-only`). Machine: {machine()}.\n\n",
        1,
    )
    return with_section(current, LOAD_HEADING, section)


def _span(current: str, heading: str) -> tuple[int, int] | None:
    """Where the section under `heading` lies in `current` (up to the next `## ` or the end)."""
    start = current.find(heading)
    if start < 0:
        return None
    end = current.find("\n## ", start + len(heading))
    return start, end + 1 if end >= 0 else len(current)


def section(current: str, heading: str) -> str | None:
    """The section under `heading` in `current` (BENCHMARKS.md), heading included; None if none."""
    span = _span(current, heading)
    return current[span[0] : span[1]] if span else None


def with_section(current: str, heading: str, text: str) -> str:
    """`current` (BENCHMARKS.md) with the section under `heading` replaced by `text`, which starts
    with that heading; added at the end when missing."""
    span = _span(current, heading)
    if span is None:
        return current.rstrip("\n") + "\n\n" + text
    rest = current[span[1] :]
    return current[: span[0]] + text + ("\n" + rest if rest else "")


LOAD_HEADING = "## Load: revgen against `psql \\copy` and the tools a user would otherwise pick"


def duration(seconds: float) -> str:
    """Seconds as the tables write them: seconds up to two minutes, then minutes."""
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def scale_table(results: list[dict]) -> str:
    lines = [
        "| people | raw rows | extract + load | rows/s | load peak RSS | dbt full build | "
        "dbt incremental (1% changed + 1% new) | incremental / full | GX suites | whole DAG | "
        "DAG dbt tasks / plain dbt build |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['people']:,} | {r['raw_rows']:,} | {duration(r['load_seconds'])} | "
            f"{r['raw_rows'] / r['load_seconds']:,.0f} | {r['load_rss']:.0f} MiB | "
            f"{duration(r['full']['seconds'])} | {duration(r['incremental']['seconds'])} | "
            f"{r['incremental']['seconds'] / r['full']['seconds']:.2f} | "
            f"{duration(r['quality']['seconds'])} | {duration(r['dag_seconds'])} | "
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
    changes = "; ".join(
        f"{r['people']:,}: {r['changes']['changed_people']:,} changed and "
        f"{r['changes']['new_people']:,} new people, {r['changes']['activities']:,} activities"
        for r in results
    )
    return (
        f"Run {stamp}. Machine: {machine()}. {versions()}.\n\n"
        "## Every phase, by company size\n\n"
        "Each phase is its own process (wall time, one run). Both dbt builds are the nightly's "
        "(`dbt build` without the unit tests, which `make test` runs). The incremental build follows a "
        f"day of changes ({changes}); it runs with no lookback margin since the bench's runs are "
        "minutes apart (production keeps 1 h for loads in flight). The whole DAG is "
        "`airflow dags test` on a fresh warehouse (load, dbt by layer, GX, alerts, report). "
        "Targets (this 2-core machine): incremental at most 0.10 of full at 1M people; whole DAG "
        "at most 15 min at 1M; load peak RSS at most 500 MB; DAG dbt tasks at most 1.3 x a plain "
        "dbt build.\n\n"
        f"{scale_table(results)}\n\n"
        "### Time and peak RSS of each phase\n\n"
        f"{rss_table(results)}\n\n"
        f"{load_sections(results)}\n"
        "## DAG files: parse time (median of 3, a fresh interpreter each; target 2 s)\n\n"
        f"| file | seconds |\n|---|---|\n{parse}\n"
    )


GROWTH_HEADING = "## Growth: the nightly as the company grows (`revgen bench --growth`)"


def growth_section(results: list[dict], finished: datetime) -> str:
    """A growth run's section: each phase at each size (smallest to largest), and how it grows
    from the smallest size to the largest (the largest's figure over the smallest's)."""

    def disk(size: float) -> str:
        return f"{size / 2**20:.0f} MiB" if size < 2**30 else f"{size / 2**30:.1f} GiB"

    def figures(r: dict) -> list[tuple[str, float, Callable[[float], str]]]:
        """(row label, this size's figure, how it is written), in table order."""
        dag = r["normal_day_dag"]
        return [
            ("raw rows", r["raw_rows"], "{:,}".format),
            ("export files (CSV)", r["files_bytes"], disk),
            *((p["phase"], p["seconds"], duration) for p in r["phases"]),
            (
                "incremental / full",
                r["incremental"]["seconds"] / r["full"]["seconds"],
                "{:.2f}".format,
            ),
            ("whole DAG, normal day", dag["seconds"], duration),
            ("of which its dbt tasks", dag["dbt_seconds"], duration),
            (
                "a full rebuild: extract + load, full dbt build",
                r["load_seconds"] + r["full"]["seconds"],
                duration,
            ),
            ("peak RSS of any phase", max(p["rss_mib"] for p in r["phases"]), "{:.0f} MiB".format),
            ("warehouse on disk", r["warehouse_bytes"], disk),
        ]

    first, last = results[0], results[-1]
    grows = len(results) > 1  # how a figure grows needs two sizes; one size is a column alone
    lines = [
        "| | "
        + " | ".join(f"{r['people']:,} people" for r in results)
        + (f" | {last['people']:,} / {first['people']:,} |" if grows else " |"),
        "|---|" + "---|" * (len(results) + grows),
    ]
    for row in zip(*(figures(r) for r in results), strict=True):
        label, smallest, _ = row[0]
        cells = " | ".join(written(value) for _, value, written in row)
        growth = f" {row[-1][1] / smallest:.1f} |" if grows else ""
        lines.append(f"| {label} | {cells} |{growth}")
    days = "; ".join(
        f"{r['people']:,}: {r['changes']['changed_people']:,} changed and "
        f"{r['changes']['new_people']:,} new people the first, "
        f"{r['day_two_changes']['changed_people']:,} and {r['day_two_changes']['new_people']:,} "
        "the second"
        for r in results
    )
    return (
        f"{GROWTH_HEADING}\n\n"
        f"Run {finished.strftime('%Y-%m-%d %H:%M UTC')}. Machine: {machine()}. {versions()}.\n\n"
        "The phases of the table above without the load comparison, one run each; then the whole "
        "DAG (`airflow dags test`) on a normal day: a second day's changes in the landing folder, "
        "loaded and built incrementally on the warehouse the phases left (no lookback margin, as "
        f"for the incremental build). The days: {days}. Targets (this 2-core machine): "
        "incremental at most 0.10 of full at 1M and 10M people; at 10M, the whole DAG on a normal "
        "day at most 10 min, a full rebuild at most 30 min.\n\n" + "\n".join(lines) + "\n"
    )
