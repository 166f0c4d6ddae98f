"""The warehouse connection: DATABASE_URL when set, else the project-local PostgreSQL."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict

from revgen.config import paths
from revgen.errors import ConfigError, WarehouseUnreachable

if TYPE_CHECKING:
    from revgen.db.local import LocalPostgres


def local_server() -> LocalPostgres:
    """The project-local server (its binaries come from pgserver, imported only when needed)."""
    from revgen.db.local import LocalPostgres

    return LocalPostgres(paths().pgdata)


def uses_local_server() -> bool:
    return not os.environ.get("DATABASE_URL")


def psql_command() -> str:
    """`psql` as a user can run it on this machine, for the hints revgen prints: the one on PATH;
    else, for the project-local server, the one the pgserver wheel ships beside it (a fresh
    machine has no PostgreSQL client of its own)."""
    import shlex
    import shutil

    if shutil.which("psql") or not uses_local_server():
        return "psql"
    from revgen.db.local import POSTGRES_BIN_PATH

    return shlex.quote(str(POSTGRES_BIN_PATH / "psql"))


def normalize_url(url: str) -> str:
    """Accept postgres://, postgresql:// and SQLAlchemy's postgresql+driver:// forms."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise ConfigError(
            "DATABASE_URL must look like postgresql://USER:PASSWORD@HOST:PORT/DATABASE "
            f"(got a URL starting with {scheme!r})."
        )
    return f"postgresql://{rest}"


def warehouse_url(start_local: bool = True) -> str:
    """The warehouse URL; with no DATABASE_URL the local server is started when asked to."""
    if not uses_local_server():
        return normalize_url(os.environ["DATABASE_URL"])
    server = local_server()
    return server.up() if start_local else server.url()


def conninfo(url: str) -> dict[str, str]:
    """host, port, user, password, dbname of a URL (for dbt's profile and Airflow's connection)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        raise ConfigError(f"The warehouse URL cannot be parsed: {err}") from err
    return {
        "host": str(parts.get("host") or "127.0.0.1"),
        "port": str(parts.get("port") or "5432"),
        "user": str(parts.get("user") or ""),
        "password": str(parts.get("password") or ""),
        "dbname": str(parts.get("dbname") or ""),
    }


def redact(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    info = conninfo(url)
    auth = quote(info["user"]) + (":***" if info["password"] else "")
    return f"postgresql://{auth}@{info['host']}:{info['port']}/{info['dbname']}"


def connect(url: str, **kwargs) -> psycopg.Connection:
    """Open a connection, turning 'cannot connect' into one sentence that says what to fix."""
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as err:
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        hint = (
            "Check DATABASE_URL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE), "
            "or unset it to use revgen's own local PostgreSQL."
            if not uses_local_server()
            else "Start the local server with `revgen db up`."
        )
        raise WarehouseUnreachable(
            f"Cannot reach the warehouse at {redact(url)} ({reason}). {hint}"
        ) from None


def check_reachable(url: str) -> None:
    """Fail fast, in one sentence, when the warehouse does not answer."""
    with connect(url) as conn:
        conn.execute("select 1")
