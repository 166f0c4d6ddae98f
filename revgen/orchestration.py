"""What revgen's DAGs need at run time: their default arguments and the warehouse URL from the
Airflow connection. Nothing here starts a server: parsing a DAG imports no local tooling
(revgen/local_airflow.py runs Airflow on this machine; revgen/db/local.py, PostgreSQL)."""

from __future__ import annotations

import os
from urllib.parse import quote

from revgen.config import WAREHOUSE_CONN_ID


def warehouse_url_from_connection(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """Inside an Airflow task: the warehouse URL from the Airflow connection."""
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    auth = quote(conn.login or "", safe="")
    if conn.password:
        auth += ":" + quote(conn.password, safe="")
    return f"postgresql://{auth}@{conn.host}:{conn.port or 5432}/{quote(conn.schema or '')}"


def dag_defaults() -> dict:
    """default_args of every revgen DAG: retries with delay, and the shared failure notifier."""
    from datetime import timedelta

    from revgen.alerts.failures import notify_failure

    return {
        "retries": int(os.environ.get("REVGEN_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=2),
        "on_failure_callback": notify_failure,
    }
