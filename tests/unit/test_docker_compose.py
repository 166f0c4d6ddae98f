"""No Docker engine runs here: parse docker-compose.yml and check what it mounts and runs exists."""

import re

import pytest
import yaml

from tests.helpers import ROOT

AIRFLOW_PARTS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_and_every_airflow_part_with_the_local_executor(compose):
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    for name, command in AIRFLOW_PARTS.items():
        service = services[name]
        assert service["command"] == [command]
        # the LocalExecutor unless .env says AIRFLOW_EXECUTOR=CeleryExecutor (--profile celery)
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == (
            "${AIRFLOW_EXECUTOR:-LocalExecutor}"
        )
        assert "profiles" not in service
        assert "AIRFLOW_CONN_REVGEN_WAREHOUSE" in service["environment"]
    assert services["airflow-init"]["command"] == ["db", "migrate"]


def test_everything_compose_mounts_or_builds_exists(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").exists()
    mounted = {v.split(":")[1] for v in compose["services"]["airflow-scheduler"]["volumes"]}
    assert {"/opt/revgen/dags", "/opt/revgen/dbt_project", "/opt/revgen/expectations"} <= mounted


def test_airflow_image_matches_the_pinned_airflow_and_ports_bind_loopback_only(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    pinned = re.search(r'"apache-airflow==([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned and f"apache/airflow:{pinned.group(1)}-python3.11" in dockerfile
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:")


def test_compose_holds_no_password_only_references_to_the_env_file(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${REVGEN_DB_PASSWORD:?" in text and "${AIRFLOW_DB_PASSWORD:?" in text
    assert not re.search(r"PASSWORD:\s*[\"']?[a-z0-9]", text.replace("${", ""))


def test_compose_creates_the_dbt_pool_the_dags_use(compose):
    from revgen.orchestration import DBT_POOL, DBT_POOL_SLOTS

    command = compose["services"]["airflow-pools"]["command"]
    assert command[:4] == ["pools", "set", DBT_POOL, str(DBT_POOL_SLOTS)]


def test_the_celery_profile_adds_redis_two_workers_and_flower_in_the_official_shape(compose):
    services = compose["services"]
    celery = {name for name, service in services.items() if "celery" in service.get("profiles", [])}
    assert celery == {"redis", "airflow-worker", "flower"}
    assert services["redis"]["image"].startswith("redis:")
    worker = services["airflow-worker"]
    assert worker["command"] == ["celery", "worker"] and worker["deploy"]["replicas"] == 2
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["environment"]["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert "AIRFLOW_CONN_REVGEN_WAREHOUSE" in worker["environment"]
    assert services["flower"]["command"] == ["celery", "flower"]
    assert "ports" not in services["redis"]  # the broker is reachable inside the network only


def test_compose_postgres_runs_with_the_settings_of_warehouse_conf(compose, tmp_path):
    """The compose command, run by bash with a stand-in for the image's entrypoint that prints its
    arguments: the server gets every line of revgen/db/warehouse.conf as `-c name=value`."""
    import os
    import subprocess

    from revgen.db.local import SETTINGS_FILE, server_settings

    service = compose["services"]["postgres"]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
    assert (ROOT / mounted["/etc/postgresql/revgen.conf"]).resolve() == SETTINGS_FILE
    entrypoint = tmp_path / "docker-entrypoint.sh"
    entrypoint.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    entrypoint.chmod(0o755)
    script = service["command"][2].replace("$$", "$")  # compose's escape of a literal $
    script = script.replace("/etc/postgresql/revgen.conf", str(SETTINGS_FILE))
    printed = subprocess.run(
        [*service["command"][:2], script],
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    expected = ["postgres"]
    for name, value in server_settings().items():
        expected += ["-c", f"{name}={value}"]
    assert printed == expected and len(expected) > 8


def test_a_malformed_line_of_warehouse_conf_is_an_error_naming_file_and_line(tmp_path, monkeypatch):
    from revgen.db import local
    from revgen.errors import LocalServerError

    bad = tmp_path / "warehouse.conf"
    bad.write_text("# tuned\nwork_mem = 64MB\nshared_buffers = '1GB'; select 1\n")
    monkeypatch.setattr(local, "SETTINGS_FILE", bad)
    with pytest.raises(LocalServerError, match=r"warehouse.conf, line 3: expected `name = value`"):
        local.server_settings()
