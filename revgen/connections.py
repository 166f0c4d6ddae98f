"""Airflow connections, read one way: the lookup and the two URLs revgen builds from them (the
warehouse's postgres URL; an HTTP base URL for the API sources and the alert webhook). Used
inside tasks and callbacks; imports Airflow only when a connection is looked up."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit, urlunsplit

log = logging.getLogger(__name__)


def airflow_connection(conn_id: str):
    """Inside an Airflow task: the connection `conn_id`, or None when it is not configured.
    Every revgen connection is read through here and the two URL builders below.

    A deadline callback may read only connections from the environment (`AIRFLOW_CONN_*`) or a
    secrets backend: Airflow 3.3's Execution API denies it those stored in Airflow's database,
    which count as not configured there."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
    except PermissionError as denied:  # AirflowSecretsBackendAccessDenied
        log.warning("connection %s is not readable here: %s", conn_id, denied)
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
