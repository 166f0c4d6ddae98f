"""
# watch_ownership_hourly

The hourly airflow DAG of revgen's promise "no lead falls between the chairs": between nightly runs
it refreshes only what ownership depends on (CRM users, leads and their history, from files and
from the API sources whose connection exists), rebuilds only the models on the path to
`orphaned_leads`, checks the ownership invariant with Great Expectations, and alerts new orphans.
So an orphan is noticed within the hour, not the next night.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task

from revgen.orchestration import DBT_POOL, dag_defaults

OWNERSHIP_STREAMS = ("users", "leads", "lead_history")
ORPHANS = Asset("revgen://warehouse/marts.orphaned_leads")


@dag(
    dag_id="watch_ownership_hourly",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=datetime(2000, 1, 1, tzinfo=UTC),  # any as-of date can be run (historic exports)
    catchup=False,
    max_active_runs=1,
    default_args=dag_defaults(),
    tags=["revgen", "hourly", "ownership"],
    doc_md=__doc__,
)
def watch_ownership_hourly():
    @task
    def load_stream(stream: str) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import load_files

        return load_files(warehouse_url_from_connection(), "crm", stream)

    @task
    def refresh_api_owners() -> dict:
        """Users, owners and leads from the API sources whose connection exists."""
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import refresh_api_ownership

        return refresh_api_ownership(warehouse_url_from_connection())

    @task(outlets=[ORPHANS], pool=DBT_POOL)
    def rebuild_ownership_models(data_interval_end=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import build_models

        return build_models(
            warehouse_url_from_connection(), data_interval_end.isoformat(), "ownership"
        )

    @task
    def check_ownership(run_id=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import check_quality

        return check_quality(warehouse_url_from_connection(), run_id, ["ownership"])

    @task
    def alert_orphans(run_id=None) -> dict:
        from revgen.orchestration import warehouse_url_from_connection
        from revgen.pipeline import alert_orphans as send_alert

        return send_alert(warehouse_url_from_connection(), run_id=run_id)

    loads = [load_stream.override(task_id=f"load_crm_{name}")(name) for name in OWNERSHIP_STREAMS]
    loads[0] >> loads[1] >> loads[2]
    rebuilt = rebuild_ownership_models()
    [loads[2], refresh_api_owners()] >> rebuilt
    rebuilt >> check_ownership() >> alert_orphans()


watch_ownership_hourly()
