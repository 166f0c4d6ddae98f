"""revgen's DAGs under a live scheduler: Airflow started as `make airflow` starts it (standalone,
metadata on the project-local PostgreSQL, the LocalExecutor), runs triggered through the REST API.
One stack for the module; the last test stops it with SIGTERM to `make` and checks nothing is left.

The stack runs with `[scheduler] use_job_schedule = False` (only the runs a test triggers; unpausing
would otherwise also run the interval that ended last midnight, as of today) and a nightly deadline
of 0 hours, already past when a run is queued, so the deadline alert fires on every nightly run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import requests

from revgen.config import paths
from revgen.db.local import AIRFLOW, LocalPostgres, free_port
from revgen.generate import generate_company
from revgen.local_airflow import admin_password
from revgen.orchestration import DBT_POOL
from tests.helpers import (
    ROOT,
    empty_revgen_schemas,
    files_holding,
    load_and_build,
    rows,
    schema_checksums,
)

NIGHTLY = "revenue_funnel_nightly"
HOURLY = "watch_ownership_hourly"
FINISHED = {"success", "failed"}


class Inbox:
    def __init__(self):
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content.decode())
        return "250 OK"


class LiveAirflow:
    """`make airflow` in its own session, and its REST API."""

    def __init__(self, port: int, env: dict[str, str]):
        venv = Path(sys.executable).parent.parent
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        # what a user types; -o: the venv is installed already (in CI it is the repo's .venv)
        self.make = subprocess.Popen(
            ["make", "-C", str(ROOT), "airflow", f"VENV={venv}", "-o", f"{venv}/.installed"],
            env={**os.environ, **env, "PORT": str(port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.session = requests.Session()
        self.started = datetime.now(UTC)

    def parsed_here(self, dag_id: str) -> bool:
        """Whether this stack's dag-processor has parsed the DAG: a DAG another Airflow serialized
        into the same metadata (an earlier `make airflow` with other settings) is its older
        version, and a run triggered before the new parse would take that version's settings
        (a deadline of 6 h, not the 0 h these tests set). With the settings' update interval of 0,
        that parse also wrote this stack's version."""
        answer = self.session.get(self.url(f"dags/{dag_id}"), timeout=30)
        parsed = answer.json().get("last_parsed_time") if answer.status_code == 200 else None
        return parsed is not None and datetime.fromisoformat(parsed) > self.started

    def wait_up(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        assert self.make.stdout is not None
        for line in self.make.stdout:  # `revgen airflow-ui` says when Airflow is healthy
            if "Airflow is up" in line:
                break
            assert time.monotonic() < deadline and self.make.poll() is None, line
        token = requests.post(
            f"{self.base}/auth/token",
            json={"username": "admin", "password": admin_password(paths().airflow_home)},
            timeout=30,
        )
        assert token.status_code == 201, token.text
        self.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        for dag_id in (NIGHTLY, HOURLY):  # parsed by this stack's dag-processor, then unpaused
            while not self.parsed_here(dag_id):
                assert time.monotonic() < deadline, f"{dag_id} was never parsed"
                time.sleep(2)
            answer = self.session.patch(
                self.url(f"dags/{dag_id}"), json={"is_paused": False}, timeout=30
            )
            assert answer.status_code == 200, answer.text

    def url(self, path: str) -> str:
        return f"{self.base}/api/v2/{path}"

    def trigger(self, dag_id: str, start: datetime, end: datetime) -> dict:
        answer = self.session.post(
            self.url(f"dags/{dag_id}/dagRuns"),
            json={
                "logical_date": end.isoformat(),
                "data_interval_start": start.isoformat(),
                "data_interval_end": end.isoformat(),
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_finished(self, dag_id: str, run_id: str, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.session.get(self.url(f"dags/{dag_id}/dagRuns/{run_id}"), timeout=30).json()
            if run["state"] in FINISHED:
                return run
            time.sleep(3)
        raise AssertionError(f"{dag_id} {run_id} did not finish within {timeout:.0f} s")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        answer = self.session.get(
            self.url(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances"),
            params={"limit": 100},
            timeout=30,
        )
        return {ti["task_id"]: ti["state"] for ti in answer.json()["task_instances"]}


def seconds(run: dict) -> float:
    return (
        datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["start_date"])
    ).total_seconds()


@pytest.fixture(scope="module")
def live(warehouse, revgen_home):
    """A small company loaded and built once without Airflow (its marts kept), the warehouse
    emptied again, then `make airflow` started with a real SMTP server as its alert channel."""
    import json

    from aiosmtpd.controller import Controller

    # emptying the warehouse drops revgen's random hashing key: both runs get this one
    os.environ["REVGEN_PII_KEY"] = "live-scheduler-test-key"
    truth = generate_company(people=300, seed=5, days=40, out=paths().landing, progress=False)
    empty_revgen_schemas(warehouse, demo=truth["generator"])
    end = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00"))
    started = time.monotonic()
    load_and_build(warehouse, paths().landing, truth["generator"]["as_of"])
    baseline_seconds = time.monotonic() - started
    expected = schema_checksums(warehouse)
    # the live run must build it all again
    empty_revgen_schemas(warehouse, demo=truth["generator"])

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    smtp_connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp.port,
        "extra": {"from": "revgen@test", "to": ["data-eng@test"]},
    }
    settings = {
        "AIRFLOW_CONN_REVGEN_SMTP": json.dumps(smtp_connection),
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "REVGEN_NIGHTLY_DEADLINE_HOURS": "0",
        "REVGEN_TASK_RETRIES": "0",
        # this stack's first parse writes its DAG version at once (parsed_here), even when another
        # stack serialized the DAG into the same metadata less than 30 s before (Airflow's default)
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "0",
    }
    stack = LiveAirflow(free_port(), settings)
    try:
        stack.wait_up()
        yield {
            "stack": stack,
            "settings": settings,
            "truth": truth,
            "end": end,
            "expected": expected,
            "baseline_seconds": baseline_seconds,
            "inbox": inbox,
            "url": warehouse,
            "pgdata": revgen_home / "pgdata",
        }
    finally:
        if stack.make.poll() is None:
            os.killpg(stack.make.pid, signal.SIGTERM)
            stack.make.wait(timeout=120)
        smtp.stop()
        os.environ.pop("REVGEN_PII_KEY")


@pytest.fixture(scope="module")
def nightly_run(live):
    stack, end = live["stack"], live["end"]
    run = stack.trigger(NIGHTLY, end - timedelta(days=1), end)
    return run, stack.wait_finished(NIGHTLY, run["dag_run_id"])


def test_the_scheduler_runs_the_nightly_dag_for_a_rest_interval_with_the_marts_of_a_plain_build(
    live, nightly_run
):
    triggered, finished = nightly_run
    end = live["end"]
    assert datetime.fromisoformat(triggered["data_interval_end"]) == end
    assert datetime.fromisoformat(triggered["data_interval_start"]) == end - timedelta(days=1)
    states = live["stack"].task_states(NIGHTLY, triggered["dag_run_id"])
    assert finished["state"] == "success", states
    assert states["dbt_build"] == states["dbt_marts"] == states["summarize"] == "success"
    assert schema_checksums(live["url"]) == live["expected"]
    print(
        f"\nnightly, 300 people: scheduler + LocalExecutor {seconds(finished):.0f} s "
        f"(queued to done); load + dbt build without Airflow {live['baseline_seconds']:.0f} s"
    )


def test_airflow_metadata_lives_in_its_own_postgres_database_and_no_password_is_logged(
    live, nightly_run
):
    server = LocalPostgres(live["pgdata"])
    metadata = server.airflow_url()
    triggered, _ = nightly_run
    assert rows(metadata, "select state from dag_run where run_id = %s", (triggered["dag_run_id"],))
    assert rows(
        metadata, "select rolsuper, rolcreaterole from pg_roles where rolname = current_user"
    ) == [(False, False)]
    home = paths().airflow_home
    for secret_file in (
        server.credentials_file,
        home / "simple_auth_manager_passwords.json.generated",
    ):
        assert secret_file.stat().st_mode & 0o777 == 0o600, secret_file
    passwords = server._credentials()  # the superuser's, revgen's and Airflow's role's
    assert set(passwords) == {"postgres", "revgen", AIRFLOW}
    secrets = [admin_password(home), *passwords.values()]
    kept_by_design = (
        server.credentials_file,
        home / "simple_auth_manager_passwords.json.generated",
    )
    assert files_holding(paths().home, secrets, kept_by_design) == []
    assert "Password for the admin user" in (home / "standalone.log").read_text()  # it was read


def test_a_nightly_run_past_its_deadline_is_alerted_by_email(live, nightly_run):
    """The deadline (0 hours after the run is queued) had passed before the run finished."""
    triggered, _ = nightly_run
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        late = [m for m in live["inbox"].messages if "missed its deadline" in m]
        if late:
            break
        time.sleep(2)
    assert len(late) == 1, [m.splitlines()[:20] for m in live["inbox"].messages]
    assert f"revgen: {NIGHTLY} missed its deadline" in late[0]
    assert triggered["dag_run_id"] in late[0]


def test_the_dbt_builds_of_both_dags_triggered_at_once_never_overlap(live, nightly_run):
    stack = live["stack"]
    end = live["end"] + timedelta(days=1)
    runs = {
        NIGHTLY: stack.trigger(NIGHTLY, end - timedelta(days=1), end)["dag_run_id"],
        HOURLY: stack.trigger(HOURLY, end - timedelta(hours=1), end)["dag_run_id"],
    }
    for dag_id, run_id in runs.items():
        assert stack.wait_finished(dag_id, run_id)["state"] == "success", stack.task_states(
            dag_id, run_id
        )
    builds = rows(
        LocalPostgres(live["pgdata"]).airflow_url(),
        """select dag_id, task_id, pool, start_date, end_date from task_instance
        where (dag_id, run_id) in ((%s, %s), (%s, %s)) and task_id like any (%s)
        order by start_date""",
        (NIGHTLY, runs[NIGHTLY], HOURLY, runs[HOURLY], ["dbt_build", "rebuild_%"]),
    )
    assert {dag_id for dag_id, *_ in builds} == {NIGHTLY, HOURLY}
    assert len(builds) == 2 and {pool for _, _, pool, _, _ in builds} == {DBT_POOL}
    for before, after in zip(builds, builds[1:], strict=False):
        assert before[4] <= after[3], (before, after)  # each ends before the next starts


def stop_and_check_nothing_is_left(stack: LiveAirflow) -> None:
    """SIGTERM to `make` alone (what a service manager sends): it ends, no process it started
    runs on (also those in a process group of their own), its API port is free."""
    started = psutil.Process(stack.make.pid).children(recursive=True)
    assert len(started) > 5  # revgen, then Airflow's scheduler, api-server, ...
    os.kill(stack.make.pid, signal.SIGTERM)
    stack.make.wait(timeout=120)
    time.sleep(1)

    def described(processes) -> list[str]:
        alive = []
        for process in processes:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{process.pid} {' '.join(process.cmdline())[:80]}")
            except psutil.NoSuchProcess:
                pass
        return alive

    assert described(started) == []
    # nothing listens on the API port: a new server can bind it (SO_REUSEADDR, as servers do,
    # since this test's own closed HTTP connections may wait in TIME_WAIT)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", stack.port))
        probe.listen()


def test_sigterm_to_make_airflow_stops_every_process_and_frees_the_port(live):
    stop_and_check_nothing_is_left(live["stack"])


@pytest.fixture
def redis(tmp_path):
    """Debian's redis-server on a free loopback port, no persistence; stopped after the test."""
    import shutil

    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: scripts/ensure-redis.sh installs it (make test does)"
    port = free_port()
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "redis did not start"
            time.sleep(0.2)
    yield f"redis://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_the_celery_executor_runs_the_nightly_on_two_workers_with_the_local_executors_marts(
    live, nightly_run, redis
):
    """After the LocalExecutor's stack stopped: `make airflow EXECUTOR=celery` (two Celery
    workers, Redis as broker) runs the same interval again on an emptied warehouse."""
    assert live["stack"].make.poll() is not None  # the previous test stopped it
    empty_revgen_schemas(live["url"], demo=live["truth"]["generator"])
    stack = LiveAirflow(free_port(), {**live["settings"], "EXECUTOR": "celery", "REDIS_URL": redis})
    try:
        stack.wait_up()
        end = live["end"]
        # the LocalExecutor's run of this date is in the same metadata: one run per logical date
        deleted = stack.session.delete(
            stack.url(f"dags/{NIGHTLY}/dagRuns/{nightly_run[0]['dag_run_id']}"), timeout=30
        )
        assert deleted.status_code == 204, deleted.text
        run = stack.trigger(NIGHTLY, end - timedelta(days=1), end)
        finished = stack.wait_finished(NIGHTLY, run["dag_run_id"])
        assert finished["state"] == "success", stack.task_states(NIGHTLY, run["dag_run_id"])
        assert schema_checksums(live["url"]) == live["expected"]
        home = paths().airflow_home
        received = {
            number: (home / f"celery-worker-{number}.log").read_text().count("] received")
            for number in (1, 2)
        }
        assert all(received.values()), received  # tasks ran on both workers
        print(
            f"\nnightly, 300 people: CeleryExecutor (2 workers) {seconds(finished):.0f} s, "
            f"LocalExecutor {seconds(nightly_run[1]):.0f} s; tasks per worker {received}"
        )
    finally:
        if stack.make.poll() is None:
            stop_and_check_nothing_is_left(stack)
