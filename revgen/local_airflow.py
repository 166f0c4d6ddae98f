"""Airflow on this machine: the environment revgen runs it in (its home, the DAGs folder, SQLite
metadata, the warehouse as a connection), `airflow dags test`, and `airflow standalone` in its own
process group. Local tooling only: DAGs never import it (revgen/orchestration.py is theirs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from revgen.config import WAREHOUSE_CONN_ID, paths
from revgen.db import conninfo
from revgen.db.local import free_port

DAG_ID = "revenue_funnel_nightly"


def airflow_conn_json(url: str) -> str:
    """The warehouse as an Airflow connection in JSON form (for AIRFLOW_CONN_REVGEN_WAREHOUSE)."""
    info = conninfo(url)
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": info["host"],
            "port": int(info["port"]),
            "login": info["user"],
            "password": info["password"],
            "schema": info["dbname"],
        }
    )


def airflow_env(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for `airflow`: home, DAGs folder, SQLite metadata, the warehouse connection."""
    here = paths()
    home = here.airflow_home
    home.mkdir(parents=True, exist_ok=True)
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        "REVGEN_HOME": str(here.home),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(here.dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW_CONN_" + WAREHOUSE_CONN_ID.upper(): airflow_conn_json(url),
    }
    env.pop("DATABASE_URL", None)  # inside Airflow the warehouse is the connection, nothing else
    env.update(extra or {})
    return env


def airflow_binary() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def ensure_airflow_db(env: dict[str, str]) -> None:
    """Create or upgrade Airflow's SQLite metadata (about 7 s the first time, fast after)."""
    marker = Path(env["AIRFLOW_HOME"]) / ".revgen-migrated"
    if marker.exists() and (Path(env["AIRFLOW_HOME"]) / "airflow.db").exists():
        return
    subprocess.run(
        [airflow_binary(), "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    marker.write_text("ok\n")


def airflow_command(args: list[str]) -> tuple[str, list[str], dict[str, str]]:
    """(program, argv, env) to exec `airflow ARGS` in revgen's environment."""
    from revgen.db import warehouse_url

    env = airflow_env(warehouse_url())
    ensure_airflow_db(env)
    return airflow_binary(), ["airflow", *args], env


def start_standalone(url: str, port: int) -> subprocess.Popen:
    """Start `airflow standalone` on 127.0.0.1:port in its own process group."""
    env = airflow_env(
        url,
        {
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        },
    )
    ensure_airflow_db(env)
    log_path = Path(env["AIRFLOW_HOME"]) / "standalone.log"
    log_file = open(log_path, "w")  # noqa: SIM115 - handed to the child process
    return subprocess.Popen(
        [airflow_binary(), "standalone"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 240) -> None:
    """Wait for the API's health endpoint to report a healthy metadatabase and scheduler."""
    import time

    import requests

    from revgen.errors import StepFailed

    deadline = time.monotonic() + timeout
    health = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StepFailed(
                f"airflow standalone exited ({process.returncode}); "
                f"see {paths().airflow_home / 'standalone.log'}"
            )
        try:
            body = requests.get(health, timeout=2).json()
            if body.get("scheduler", {}).get("status") == "healthy":
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(2)
    raise StepFailed(f"airflow standalone was not healthy within {timeout:.0f} s at {health}")


def stop_process_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a process started with start_new_session=True and every process of its group:
    SIGTERM, wait until the whole group is gone, SIGKILL what is left after `timeout`."""
    import signal
    import time

    def group_alive() -> bool:
        process.poll()  # reap the leader so it does not linger as a zombie
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10)):
        if not group_alive():
            return
        os.killpg(process.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_alive():
            time.sleep(0.2)


def login_hint() -> str:
    passwords = paths().airflow_home / "simple_auth_manager_passwords.json.generated"
    return f"user admin, password in {passwords}"
