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

RAW_MARKETING = Asset("revgen://warehouse/raw_marketing")
RAW_CRM = Asset("revgen://warehouse/raw_crm")
MARTS = Asset("revgen://warehouse/marts")


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
    def extract_marketing() -> dict:
        from revgen.pipeline import extract_files

        return extract_files("marketing")

    @task
    def extract_crm() -> dict:
        from revgen.pipeline import extract_files

        return extract_files("crm")

    @task(outlets=[RAW_MARKETING])
    def load_marketing() -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import load_files

        return load_files(warehouse_url_from_connection(), "marketing")

    @task(outlets=[RAW_CRM])
    def load_crm() -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import load_files

        return load_files(warehouse_url_from_connection(), "crm")

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

    marketing = extract_marketing() >> load_marketing()
    crm = extract_crm() >> load_crm()
    built = dbt_build()
    [marketing, crm] >> built
    built >> check_quality() >> alert_orphans() >> summarize()


revenue_funnel_nightly()
