"""
# revenue_funnel_nightly

The nightly airflow DAG of revgen: extract the marketing-automation and CRM exports, load them into
the raw schemas (COPY, upsert, rejects kept), build the dbt model (stages, transitions, KPIs, orphaned
leads), run the Great Expectations suites, alert on orphaned leads, and log the funnel summary.

The run's as-of time is its data interval's end, never the wall clock: re-running a date gives the
same result. The warehouse comes from the Airflow connection `revgen_warehouse`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task

from revgen.contract import STREAMS

MARTS = Asset("revgen://warehouse/marts")
SOURCES = ("marketing", "crm")


def raw_asset(table: str) -> Asset:
    return Asset(f"revgen://warehouse/{table}")


@dag(
    dag_id="revenue_funnel_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": int(os.environ.get("REVGEN_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=2),
    },
    tags=["revgen", "nightly"],
    doc_md=__doc__,
)
def revenue_funnel_nightly():
    @task
    def extract_files(source: str) -> dict:
        from revgen.pipeline import extract_files as find_files

        return find_files(source)

    @task
    def load_stream(source: str, stream: str) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import load_files

        return load_files(warehouse_url_from_connection(), source, stream)

    @task(outlets=[MARTS])
    def dbt_build(data_interval_end=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import build_models

        return build_models(warehouse_url_from_connection(), data_interval_end.isoformat())

    @task
    def check_quality(run_id=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import check_quality as run_checks

        return run_checks(warehouse_url_from_connection(), run_id)

    @task
    def alert_orphans() -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import alert_orphans as send_alert

        return send_alert(warehouse_url_from_connection())

    @task
    def summarize() -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import summarize as log_summary

        return log_summary(warehouse_url_from_connection())

    # one load task per stream; a stream waits for the streams its ids refer to
    loads = {}
    for source in SOURCES:
        extracted = extract_files.override(task_id=f"extract_{source}_files")(source)
        for stream in (s for s in STREAMS if s.source == source):
            loads[stream.name, source] = load_stream.override(
                task_id=f"load_{source}_{stream.name}", outlets=[raw_asset(stream.table)]
            )(source, stream.name)
            extracted >> loads[stream.name, source]
            for reference in stream.references:
                loads[reference.stream, source] >> loads[stream.name, source]
    built = dbt_build()
    list(loads.values()) >> built
    built >> check_quality() >> alert_orphans() >> summarize()


revenue_funnel_nightly()
