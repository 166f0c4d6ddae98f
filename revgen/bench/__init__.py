"""`make bench`: every phase of a nightly run, on generated companies of growing size.

Per size (`scale.py`): load speed against `psql \\copy` of the same files in the same run
(`load.py`); then, each as its own process with its wall time and peak RSS (`phases.py`): extract +
load of both sources, the full dbt build, the GX suites, a day of 1% changed and 1% new people
(`next_day.py`) loaded and built incrementally; then the whole DAG (`airflow dags test`) on a fresh
warehouse. Last, the DAG files' parse times; `tables.py` writes it all as Markdown.
`revgen bench --load-only` runs the load comparison alone (against psql, dlt and pandas: `peers.py`)
and replaces that section of BENCHMARKS.md; `revgen bench --growth` runs the phases alone (no load
comparison), the DAG on a normal day, at sizes up to 10M people, and replaces the growth section.

Local tooling: `revgen bench` imports it, a DAG parse never does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from revgen.bench.phases import dag_parse_seconds
from revgen.bench.scale import bench_growth, bench_loads, bench_scale
from revgen.bench.tables import (
    GROWTH_HEADING,
    growth_section,
    page,
    with_load_section,
    with_section,
)


def run(url: str, sizes: list[int], repeat: int, workdir: Path) -> str:
    """Every phase at each size in `sizes` (at 1M people and more, one repeat), then the DAG files'
    parse times: BENCHMARKS.md's text below its title."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for people in sizes:
        results.append(bench_scale(url, people, repeat if people < 1_000_000 else 1, workdir))
    finished = datetime.now(UTC)
    return page(results, dag_parse_seconds(), finished)


def run_loads(url: str, sizes: list[int], repeat: int, workdir: Path, current: str) -> str:
    """The load comparison alone at each size: `current` (BENCHMARKS.md's text) with its load
    section replaced (added when missing), stamped with this run's date and machine."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = [bench_loads(url, people, repeat, workdir) for people in sizes]
    return with_load_section(current, results, datetime.now(UTC))


def run_growth(url: str, sizes: list[int], workdir: Path, current: str) -> str:
    """How each phase grows with the company, smallest size to largest: `current` (BENCHMARKS.md's
    text) with its growth section replaced (added when missing)."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = [bench_growth(url, people, workdir) for people in sorted(sizes)]
    return with_section(current, GROWTH_HEADING, growth_section(results, datetime.now(UTC)))
