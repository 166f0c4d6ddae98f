"""Phases timed as processes of their own: a pipeline step's wall time and the peak RSS of its
process tree; a DAG file's parse time in a fresh interpreter (what a dag-processor pays)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

from revgen.config import paths
from revgen.errors import StepFailed

# Runs a command and writes the peak RSS (KiB) of it and its descendants to argv[1]. A small
# interpreter starts the phase, as a child of a large one would inherit that one's peak RSS.
PEAK_RSS = (
    "import resource, subprocess, sys; "
    "code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def measured(name: str, command: list[str], log: Path, env: dict | None = None) -> dict:
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


def revgen_command(*args: str) -> list[str]:
    """The `revgen` command beside this interpreter, with `args`."""
    return [str(Path(sys.executable).with_name("revgen")), *args]


def python_command(code: str) -> list[str]:
    """This interpreter running `code`."""
    return [sys.executable, "-c", code]


def dag_parse_seconds(repeat: int = 3) -> dict[str, float]:
    """Median seconds for a fresh interpreter to import each DAG file (what a dag-processor pays)."""
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
