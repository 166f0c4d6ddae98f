"""What revgen's DAGs need at run time: their default arguments, the dbt pool, the warehouse URL
from its Airflow connection (revgen/connections.py reads every connection) and the run-date
check. Nothing here starts a server: parsing a DAG imports no local tooling
(revgen/local_airflow.py runs Airflow on this machine; revgen/db/local.py, PostgreSQL)."""

from __future__ import annotations

import os

from revgen.config import WAREHOUSE_CONN_ID
from revgen.connections import airflow_connection, postgres_url
from revgen.errors import ConfigError

# Every task that runs dbt (the nightly's layers, the hourly watch's rebuild) takes the one slot
# of this Airflow pool, so two dbt builds never touch the warehouse at once. `revgen airflow-ui`
# creates it (docker-compose.yml's airflow-pools too); `airflow dags test` ignores pools.
DBT_POOL = "revgen_dbt"
DBT_POOL_SLOTS = 1


def warehouse_url_from_connection(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """Inside an Airflow task: the warehouse URL from the Airflow connection."""
    conn = airflow_connection(conn_id)
    if conn is None:
        raise ConfigError(
            f"The Airflow connection {conn_id!r} is not set: it names the warehouse "
            "(a postgres connection; `revgen airflow ...` sets it from DATABASE_URL)."
        )
    return postgres_url(conn)


def check_run_dates(run_type: object, logical_date, data_interval_start, data_interval_end) -> None:
    """A run computes as of its data interval's end. A manual run is the interval that ended at
    or last before its logical date (REST and `airflow dags test`: at it; the UI's trigger button:
    the last midnight before now). One whose logical date lies before that end, or more than an
    interval after it (`airflow dags trigger --logical-date D` derives the interval from the
    current time, not from D), would silently compute another day: refuse it in one sentence."""
    manual = str(getattr(run_type, "value", run_type)) == "manual"
    if not manual or logical_date is None or data_interval_end is None:
        return
    period = data_interval_end - data_interval_start
    if not data_interval_end <= logical_date < data_interval_end + period:
        raise ConfigError(
            f"This manual run's logical date {logical_date.isoformat()} does not fall in the "
            f"day its data interval ends ({data_interval_end.isoformat()}), so it would compute "
            "another day than it names: run a date with `revgen run --as-of YYYY-MM-DD`, or "
            "trigger it through the REST API with logical_date (the interval ending at that date)."
        )


def dag_defaults() -> dict:
    """default_args of every revgen DAG: retries with delay, and the shared failure notifier."""
    from datetime import timedelta

    from revgen.alerts.failures import notify_failure

    return {
        "retries": int(os.environ.get("REVGEN_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=2),
        "on_failure_callback": notify_failure,
    }


def nightly_deadline():
    """The nightly run's deadline alert: when a run has not finished REVGEN_NIGHTLY_DEADLINE_HOURS
    (default 6) after it was queued, which for a scheduled run is when its data interval ends,
    the failure channels say so (revgen.alerts.failures.notify_deadline_missed, run by the
    executor). Counted from the queueing, a historic re-run or backfill is not late at once.
    `off` (what `airflow dags test` runs with: Airflow 3.3.2's `dags test` fails at the end of a
    run of a DAG with a deadline) means none."""
    from datetime import timedelta

    from airflow.sdk.definitions.callback import SyncCallback
    from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

    setting = os.environ.get("REVGEN_NIGHTLY_DEADLINE_HOURS", "6").strip().lower()
    if setting in ("", "off"):
        return None
    try:
        hours = float(setting)
    except ValueError:
        raise ConfigError(
            f"REVGEN_NIGHTLY_DEADLINE_HOURS is {setting!r}: give hours (e.g. 6 or 1.5), or off."
        ) from None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=hours),
        callback=SyncCallback("revgen.alerts.failures.notify_deadline_missed"),
        name="revgen_nightly_deadline",
    )
