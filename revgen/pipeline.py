"""The nightly run's steps. Each DAG task calls one of these and returns small metadata."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from revgen.config import paths
from revgen.contract import STREAMS
from revgen.errors import StepFailed
from revgen.sources.files.mapping import load_mapping
from revgen.sources.files.reader import files_for, read_records

log = logging.getLogger(__name__)


def extract_files(
    source: str, landing: Path | None = None, until: date | None = None
) -> dict[str, list[str]]:
    """Find the source's export files in its landing folder (dated ones up to `until`, the run's
    data-interval end) and check each can be read (header)."""
    folder = (landing or paths().landing) / source
    mapping = load_mapping(folder, source)
    found: dict[str, list[str]] = {}
    for stream in (s for s in STREAMS if s.source == source):
        stream_mapping = mapping.for_stream(stream) if mapping else None
        files = files_for(folder, stream, stream_mapping, until)
        for path in files:
            next(iter(read_records(path, stream, stream_mapping)), None)  # InputError on bad header
        found[stream.name] = [path.name for path in files]
    if not any(found.values()):
        log.warning(
            "%s: no export files in %s (expected e.g. %s.csv); nothing to load from "
            "files. Run `revgen generate` for demo data, or drop exports there.",
            source,
            folder,
            next(s.name for s in STREAMS if s.source == source),
        )
    log.info("%s: %d file(s) in %s", source, sum(len(v) for v in found.values()), folder)
    return found


def load_files(
    url: str,
    source: str,
    stream: str | None = None,
    landing: Path | None = None,
    until: date | None = None,
    found: dict[str, list[str]] | None = None,
) -> dict[str, int]:
    """Load the source's files (the stream's when given); `found` is what extract_files returned:
    then just those files load."""
    from revgen.load.run import load_source

    streams = [stream] if stream else None
    folder = (landing or paths().landing) / source
    results = load_source(url, source, folder, streams=streams, until=until, found=found)
    totals = {"files": len(results), "skipped": sum(r.skipped for r in results)}
    for key in ("rows_read", "rows_loaded", "rows_rejected", "rows_inserted", "rows_updated"):
        totals[key] = sum(getattr(r, key) for r in results)
    return totals


def build_models(url: str, as_of: str, selector: str | None = None) -> dict[str, str]:
    """dbt build of the project (or of a selector of dbt_project/selectors.yml, e.g. the hourly
    watch's `ownership`), as of the run's data interval end; fails when any node fails."""
    from revgen.dbt import SCHEDULED, run_dbt

    run_dbt(url, [*SCHEDULED, *(["--selector", selector] if selector else [])], as_of=as_of)
    return {"as_of": as_of, "selector": selector or "all"}


def build_nightly(url: str, as_of: str, run_id: str) -> dict:
    """The nightly's one `dbt build` (dbt's start-up paid once), each node's result kept for the
    layer tasks (`judge_layer`), which pass or fail each layer. Fails itself only when dbt could
    not build at all (no node ran: a compile error, an unreachable warehouse)."""
    from revgen.dbt import SCHEDULED, SUCCEEDED, last_results, record_results, run_dbt

    code = run_dbt(url, list(SCHEDULED), as_of=as_of, check=False)
    results = last_results()
    record_results(url, run_id, results)
    failed = [node for node in results if node.status not in SUCCEEDED]
    if code != 0 and not failed:
        raise StepFailed(
            f"dbt build failed (exit {code}) before building: its output above says why."
        )
    if failed:
        log.warning(
            "dbt build: %d of %d nodes did not succeed; the dbt_<layer> tasks name them",
            len(failed),
            len(results),
        )
    return {"as_of": as_of, "nodes": len(results), "not_succeeded": len(failed)}


def judge_layer(url: str, run_id: str, layer: str) -> dict:
    from revgen.dbt import judge_layer as verdict

    return verdict(url, run_id, layer)


def check_quality(url: str, run_id: str, suites: list[str] | None = None) -> dict[str, int]:
    from revgen.quality.gx import run_suites

    outcomes = run_suites(url, run_id, suites)
    return {"expectations": len(outcomes), "failed": sum(not o.success for o in outcomes)}


def alert_orphans(url: str, channels=None, run_id: str | None = None) -> dict:
    """Alert new orphans (and those past the quiet period) by email and webhook."""
    from revgen.alerts.channels import channels_from_airflow
    from revgen.alerts.orphans import alert_new_orphans
    from revgen.policy import load_policy
    from revgen.quality.gx import data_docs_folder

    channels = channels if channels is not None else channels_from_airflow()
    docs = data_docs_folder(run_id) / "index.html" if run_id else None
    return alert_new_orphans(
        url,
        channels,
        load_policy().alerts.quiet_period_hours,
        docs if docs and docs.exists() else None,
    )


def summarize(url: str) -> dict:
    """Log the funnel summary and write the HTML report (its path goes to the log and XCom)."""
    from revgen.report.html import write_report
    from revgen.report.summary import format_summary, read_summary

    summary = read_summary(url)
    report = write_report(url)
    log.info("\n%s\n\nFunnel report: %s", format_summary(summary), report)
    return {
        "report": str(report),
        "people_per_stage": summary["people_per_stage"],
        "orphans": summary["orphans"],
    }


def _api_connection(system: str):
    """The system's Airflow connection, or None when it is not configured."""
    from revgen.connections import airflow_connection
    from revgen.sources.api import SETTINGS

    return airflow_connection(SETTINGS[system].CONN_ID)


def configured_api_systems() -> list[str]:
    """The API sources whose Airflow connection exists (revgen_hubspot, revgen_salesforce)."""
    from revgen.sources.api import SETTINGS

    return [system for system in SETTINGS if _api_connection(system) is not None]


def extract_api(url: str, system: str, key: str) -> dict[str, int]:
    """Extract one API object from its watermark on and load it, chunk by chunk."""
    from revgen.load.incremental import run_incremental
    from revgen.sources.api import client_from_connection

    client = client_from_connection(system, _api_connection(system))
    item = next(item for item in client.streams() if item.key == key)
    result = run_incremental(url, item)
    return {
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "rows_inserted": result.rows_inserted,
        "rows_updated": result.rows_updated,
        "requests": client.api.requests_made,
    }


def refresh_api_ownership(url: str) -> dict[str, dict]:
    """The hourly watch's API part: the owner and lead objects of each configured API source."""
    from revgen.sources.api import OWNERSHIP_OBJECTS

    return {
        f"{system}:{key}": extract_api(url, system, key)
        for system in configured_api_systems()
        for key in OWNERSHIP_OBJECTS[system]
    }
