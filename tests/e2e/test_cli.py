"""The commands a new user types: the local database's lifecycle and the Airflow UI (the demo, run
twice before real exports are brought in, is in test_real_exports)."""

import socket
import time

import psutil
import requests

from revgen.db.local import free_port
from tests.helpers import revgen_cli


def _postgres_processes_for(folder) -> list:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if proc.info["name"] == "postgres" and str(folder) in " ".join(
                proc.info["cmdline"] or []
            ):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def test_db_up_url_status_down_manage_a_local_server_on_loopback(tmp_path):
    env = {"REVGEN_HOME": str(tmp_path)}
    up = revgen_cli("db", "up", env=env)
    assert up.returncode == 0, up.stderr
    url = up.stdout.strip().splitlines()[-1]
    assert url.startswith("postgresql://revgen:")  # the owner role, with its password
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        assert revgen_cli("db", "url", env=env).stdout.strip() == url
        assert revgen_cli("db", "status", env=env).stdout.startswith("running")
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert not (tmp_path / "pgdata" / f".s.PGSQL.{port}").exists()  # no Unix socket
    finally:
        down = revgen_cli("db", "down", env=env)
    assert down.stdout.strip() == "stopped"
    assert revgen_cli("db", "status", env=env).stdout.startswith("stopped")
    assert _postgres_processes_for(tmp_path / "pgdata") == []


def test_airflow_ui_becomes_healthy_on_loopback_and_stops_completely(tmp_path, warehouse):
    from revgen.local_airflow import start_standalone, stop_process_group, wait_healthy

    port = free_port()
    process = start_standalone(warehouse, port)
    try:
        wait_healthy(port, process)
        health = requests.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5).json()
        assert health["metadatabase"]["status"] == "healthy"
    finally:
        group = [process.pid] + [
            c.pid for c in psutil.Process(process.pid).children(recursive=True)
        ]
        stop_process_group(process)
    time.sleep(1)
    alive = [
        pid
        for pid in group
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == []


def test_what_revgen_writes_is_readable_by_its_owner_only(tmp_path):
    import os

    out = tmp_path / "company"
    old = os.umask(0o022)  # a usual shell's umask: files would be world-readable
    try:
        made = revgen_cli("generate", "--people", "20", "--days", "7", "--out", str(out))
    finally:
        os.umask(old)
    assert made.returncode == 0, made.stderr
    written = [p for p in out.rglob("*")]
    assert len(written) > 10
    assert [p for p in written if p.stat().st_mode & 0o077] == []
