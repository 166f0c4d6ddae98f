"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_company(url: str, folder: Path, force: bool = False) -> list:
    from revgen.load.run import load_source

    return [
        *load_source(url, "marketing", folder / "marketing", force=force),
        *load_source(url, "crm", folder / "crm", force=force),
    ]


def load_and_build(url: str, folder: Path, as_of: str) -> None:
    """A company's files loaded, then one `dbt build` as of `as_of`, without Airflow."""
    from revgen.dbt import run_dbt

    load_company(url, folder)
    run_dbt(url, ["build"], as_of=as_of)


def revgen_cli(
    *args: str, env: dict | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """Run the `revgen` command as a user would."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("revgen")), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def empty_revgen_schemas(url: str, demo: dict | None = None, raw_tables: bool = False) -> str:
    """Drop every schema revgen writes in the warehouse at `url`; then, with `demo` (a generated
    company's `generator` section), claim it for that demo company, and with `raw_tables`,
    create the raw tables again. Returns `url`."""
    from revgen.db import connect
    from revgen.load.schema import claim_for_demo, drop_revgen_schemas, ensure_schema

    with connect(url, autocommit=True) as conn:
        drop_revgen_schemas(conn)
        if demo is not None:
            claim_for_demo(conn, demo)
        if raw_tables:
            ensure_schema(conn)
    return url


def prepared_warehouse(url: str, admin_url: str, name: str, prepare: Callable[[str], None]) -> str:
    """The warehouse at `url` in the state `prepare(url)` leaves it in, prepared once per server
    (each test worker has its own) and copied for every later call: the first call runs `prepare`
    and keeps a copy as the database `prepared_<name>` (no connections allowed: autovacuum leaves
    it as it is); a later call drops the warehouse's database and creates it again from that copy
    (CREATE DATABASE ... TEMPLATE, a file copy of about 40 MB instead of a load and a build).
    `admin_url` is the server's superuser on its own database. Returns `url`."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    from revgen.db import connect

    info = conninfo_to_dict(url)
    kept = f"prepared_{name}"
    database, template = sql.Identifier(info["dbname"]), sql.Identifier(kept)
    with connect(admin_url, autocommit=True) as admin:

        def copy(source: sql.Identifier, target: sql.Identifier) -> None:
            admin.execute(
                sql.SQL("create database {} template {} owner {}").format(
                    target, source, sql.Identifier(info["user"])
                )
            )

        if admin.execute("select 1 from pg_database where datname = %s", (kept,)).fetchone():
            admin.execute(sql.SQL("drop database {} with (force)").format(database))
            copy(template, database)
            return url
        prepare(url)
        for attempt in range(5):
            # the copy needs the warehouse to itself: end its other sessions (autovacuum's) first
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (info["dbname"],),
            )
            try:
                copy(database, template)
                break
            except psycopg.errors.ObjectInUse:  # a session came back in between
                if attempt == 4:
                    raise
        admin.execute(sql.SQL("alter database {} with allow_connections false").format(template))
    return url


def built_company(url: str, admin_url: str, company: tuple[Path, dict]) -> str:
    """The warehouse at `url` holding `company` (the conftest fixture: folder, ground truth)
    loaded and built as of its as-of, from nothing: built once per test worker, then copied
    (prepared_warehouse)."""
    folder, truth = company

    def prepare(url: str) -> None:
        empty_revgen_schemas(url)
        load_and_build(url, folder, truth["generator"]["as_of"])

    return prepared_warehouse(url, admin_url, "built_company", prepare)


def files_holding(
    root: Path,
    secrets: list[str],
    besides: tuple[Path, ...] = (),
    folders_aside: tuple[str, ...] = ("pgdata",),
) -> list[str]:
    """Every file under `root` whose bytes hold one of `secrets`, but the files `besides` and
    the folders named in `folders_aside` (by default PostgreSQL's data folder)."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in folders_aside]
        for name in names:
            path = Path(folder) / name
            if path in besides or not path.is_file():
                continue
            content = path.read_bytes()
            if any(secret.encode() in content for secret in secrets):
                found.append(str(path))
    return found


def rows(url: str, query: str, params: tuple = ()) -> list[tuple]:
    from revgen.db import connect

    with connect(url) as conn:
        return conn.execute(query, params or None).fetchall()


def schema_checksums(url: str, schema: str = "marts") -> dict[str, str]:
    """Each table of `schema` -> an md5 of all its rows (order-independent)."""
    tables = rows(
        url,
        "select table_name from information_schema.tables "
        "where table_schema = %s and table_type = 'BASE TABLE' order by 1",
        (schema,),
    )
    return {
        name: rows(
            url, f"select md5(string_agg(t::text, '|' order by t::text)) from {schema}.{name} t"
        )[0][0]
        for (name,) in tables
    }
