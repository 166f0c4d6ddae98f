"""What revgen's DAGs need at run time: their default arguments and the Airflow connections
(warehouse, API sources, alert channels), read in one place. Nothing here starts a server: parsing a DAG imports no local tooling
(revgen/local_airflow.py runs Airflow on this machine; revgen/db/local.py, PostgreSQL)."""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

from revgen.config import WAREHOUSE_CONN_ID
from revgen.errors import ConfigError


def airflow_connection(conn_id: str):
    """Inside an Airflow task: the connection `conn_id`, or None when it is not configured.
    Every revgen connection is read through here and the two URL builders below."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def postgres_url(conn) -> str:
    """postgresql://login:password@host:port/database of a connection (login and password quoted)."""
    auth = quote(conn.login or "", safe="")
    if conn.password:
        auth += ":" + quote(conn.password, safe="")
    return f"postgresql://{auth}@{conn.host}:{conn.port or 5432}/{quote(conn.schema or '')}"


def http_url(conn) -> str:
    """The base URL of an HTTP connection: its host, https:// unless it names a scheme, with its
    port when it has one (and the host does not), followed by extra `endpoint` when set. Empty
    when the connection names no host."""
    host = conn.host or ""
    if not host:
        return ""
    parts = urlsplit(host if "://" in host else f"https://{host}")
    netloc = parts.netloc
    if conn.port and parts.port is None:
        netloc = f"{netloc}:{conn.port}"
    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
    return urlunsplit(parts._replace(netloc=netloc)) + (extra.get("endpoint") or "")


def warehouse_url_from_connection(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """Inside an Airflow task: the warehouse URL from the Airflow connection."""
    conn = airflow_connection(conn_id)
    if conn is None:
        raise ConfigError(
            f"The Airflow connection {conn_id!r} is not set: it names the warehouse "
            "(a postgres connection; `revgen airflow ...` sets it from DATABASE_URL)."
        )
    return postgres_url(conn)


def dag_defaults() -> dict:
    """default_args of every revgen DAG: retries with delay, and the shared failure notifier."""
    from datetime import timedelta

    from revgen.alerts.failures import notify_failure

    return {
        "retries": int(os.environ.get("REVGEN_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=2),
        "on_failure_callback": notify_failure,
    }
