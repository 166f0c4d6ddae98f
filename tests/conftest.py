"""Shared fixtures. Every test session gets its own REVGEN_HOME (temporary) and its own local
PostgreSQL, started once and stopped at the end; DATABASE_URL is ignored so tests never touch a
user's warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

KINDS = ("unit", "dags", "integration", "e2e")
# `make test` runs the files on parallel workers (pytest-xdist, a file to a worker, in this order):
# the longest file starts first, so it ends with the rest instead of after them
LONGEST_FIRST = ("tests/e2e/test_backfill.py",)

os.environ.pop("DATABASE_URL", None)


def pytest_collection_modifyitems(items):
    for item in items:
        for kind in KINDS:
            if f"{os.sep}tests{os.sep}{kind}{os.sep}" in str(item.path):
                item.add_marker(getattr(pytest.mark, kind))
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST_FIRST)


@pytest.fixture(scope="session", autouse=True)
def revgen_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("revgen_home")
    os.environ["REVGEN_HOME"] = str(home)
    os.environ["AIRFLOW_HOME"] = str(home / "airflow")  # an in-process `import airflow` stays here
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    return home


@pytest.fixture(scope="session")
def warehouse(revgen_home):
    """URL of the session's own PostgreSQL (stopped when the session ends)."""
    from revgen.db.local import LocalPostgres

    server = LocalPostgres(revgen_home / "pgdata")
    url = server.up()
    yield url
    server.down()


@pytest.fixture(scope="session")
def warehouse_admin(warehouse, revgen_home):
    """The same server's superuser URL (its password from the server's credentials file), for
    the few tests that set up roles revgen itself may not create."""
    from revgen.config import DATABASE_NAME
    from revgen.db.local import LocalPostgres

    return LocalPostgres(revgen_home / "pgdata").admin_url(DATABASE_NAME)


@pytest.fixture(scope="session")
def server_admin(warehouse, revgen_home):
    """The same server's superuser URL on its own database, to create and drop databases
    (tests/helpers.prepared_warehouse)."""
    from revgen.db.local import LocalPostgres

    return LocalPostgres(revgen_home / "pgdata").admin_url()


@pytest.fixture
def built_warehouse(warehouse, server_admin, company):
    """The session's warehouse holding the 1,000-person `company` loaded and built as of its
    as-of: built once per worker, a copy for each test (tests/helpers.built_company)."""
    from tests.helpers import built_company

    return built_company(warehouse, server_admin, company)


@pytest.fixture
def empty_warehouse(warehouse):
    """The session's warehouse with revgen's schemas dropped."""
    from tests.helpers import empty_revgen_schemas

    return empty_revgen_schemas(warehouse)


@pytest.fixture(scope="session")
def company(tmp_path_factory):
    """A generated 1,000-person company: (folder, ground truth)."""
    from revgen.generate import generate_company

    folder = tmp_path_factory.mktemp("company")
    truth = generate_company(people=1000, seed=7, days=90, out=folder, progress=False)
    return folder, truth
