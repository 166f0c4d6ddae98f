"""The project-local PostgreSQL is not open to other local users: every login needs its password
(scram), the passwords are readable by their owner only, and revgen runs as a role that owns its
database but is no superuser (it cannot read the server's files or run programs there). A cluster
made by an older revgen with `trust` access is secured on its next start, its data kept."""

from __future__ import annotations

import psycopg
import pytest

from revgen.db import conninfo
from revgen.db.local import OWNER, SUPERUSER, LocalPostgres


def _port(url: str) -> str:
    return conninfo(url)["port"]


def test_every_login_needs_its_password_and_revgen_is_no_superuser(tmp_path):
    server = LocalPostgres(tmp_path / "pgdata")
    url = server.up()
    try:
        assert server.credentials_file.stat().st_mode & 0o077 == 0
        rules = (tmp_path / "pgdata" / "pg_hba.conf").read_text().splitlines()
        assert not [rule for rule in rules if "trust" in rule.split() and rule[:1] != "#"]
        port = _port(url)
        for who in (f"{SUPERUSER}@", f"{OWNER}@", f"{SUPERUSER}:wrong@", f"{OWNER}:wrong@"):
            with pytest.raises(psycopg.OperationalError) as err:
                psycopg.connect(f"postgresql://{who}127.0.0.1:{port}/revgen", connect_timeout=5)
            assert "password" in str(err.value)
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute(
                "select rolsuper, rolcreaterole from pg_roles where rolname = current_user"
            ).fetchone() == (False, True)
            for statement in (
                "copy (select 1) to program 'id'",
                "select pg_read_file('pg_hba.conf')",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
            conn.execute("create schema revgen_can_build_here")
    finally:
        server.down()


def test_a_cluster_made_with_trust_access_is_secured_and_keeps_its_data(tmp_path):
    from pgserver._commands import initdb

    server = LocalPostgres(tmp_path / "pgdata")
    server.pgdata.mkdir(parents=True)
    if server.system_user:
        server._open_to_system_user()
    # what revgen made before: trust access, everything owned by the superuser
    server._run(initdb, ["--auth=trust", "--encoding=UTF8", "--locale=C", "-U", SUPERUSER], 120)
    server._start()
    port = server._postmaster().port
    with psycopg.connect(
        f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        conn.execute("create database revgen")
    with psycopg.connect(
        f"postgresql://{SUPERUSER}@127.0.0.1:{port}/revgen", autocommit=True
    ) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.kept as select 42 as answer")
    try:
        url = server.up()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(f"postgresql://{SUPERUSER}@127.0.0.1:{port}/revgen", connect_timeout=5)
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("select answer from marts.kept").fetchone() == (42,)
            conn.execute("drop schema marts cascade")  # revgen owns what it made before
    finally:
        server.down()
