"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_company(url: str, folder: Path, force: bool = False) -> list:
    from revgen.load.run import load_source

    return [
        *load_source(url, "marketing", folder / "marketing", force=force),
        *load_source(url, "crm", folder / "crm", force=force),
    ]


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
