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


def test_the_server_runs_with_the_warehouse_settings_of_its_one_file(warehouse):
    """revgen/db/warehouse.conf reaches the server revgen starts (and docker-compose's, whose
    command reads the same file: tests/unit/test_docker_compose.py)."""
    from revgen.db.local import server_settings

    settings = server_settings()
    assert {"work_mem", "shared_buffers", "wal_level"} <= set(settings)
    with psycopg.connect(warehouse, autocommit=True) as conn:
        running = {
            name: conn.execute("select current_setting(%s)", (name,)).fetchone()[0]
            for name in settings
        }
    assert running == settings


def test_a_restart_keeps_its_port_though_the_stopped_server_closed_connections(tmp_path):
    """A session the server ended (here: a startup of an unknown protocol, refused) lingers a
    minute in TIME_WAIT on the server's port; the next start still listens there (a moved port
    breaks the URLs that BI tools and Airflow keep)."""
    import socket
    import struct

    server = LocalPostgres(tmp_path / "pgdata")
    url = server.up()
    port = int(_port(url))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(struct.pack("!ii", 8, 99 << 16))
            while raw.recv(4096):  # the server's refusal, then its close: it closed first
                pass
        server.down()
        with socket.socket() as probe, pytest.raises(OSError):  # the port is in TIME_WAIT
            probe.bind(("127.0.0.1", port))
        restarted = int(_port(server.up()))  # (the URL holds a password: compare ports)
        assert restarted == port
    finally:
        server.down()
