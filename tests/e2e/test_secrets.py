"""No secret in task logs, dbt's files or rendered fields: a full nightly run with a known
password, then every file revgen and Airflow wrote is searched for it. And no person's email
reaches the marts (PII stays in raw and staging; the marts carry ids)."""

import os
from datetime import datetime
from pathlib import Path

from revgen.config import paths
from revgen.db import connect, conninfo
from revgen.demo import run_dag_test
from revgen.generate import generate_company
from revgen.load.schema import claim_for_demo
from tests.helpers import ROOT, empty_revgen_schemas, rows

PASSWORD = "Kx9-unmistakable-S3cret"


def test_a_known_password_appears_in_no_log_and_no_email_reaches_the_marts(
    warehouse, warehouse_admin
):
    with connect(warehouse_admin, autocommit=True) as conn:
        conn.execute("drop role if exists pipeline_user")
        # a login of its own that works as revgen's owner role (what it creates, revgen owns)
        conn.execute(f"create role pipeline_user login password '{PASSWORD}' in role revgen")
        conn.execute("alter role pipeline_user set role revgen")
    empty_revgen_schemas(warehouse)
    info = conninfo(warehouse)
    url = f"postgresql://pipeline_user:{PASSWORD}@{info['host']}:{info['port']}/{info['dbname']}"
    truth = generate_company(people=300, seed=21, days=40, out=paths().landing, progress=False)
    with connect(url, autocommit=True) as conn:
        claim_for_demo(conn, truth["generator"])
    as_of = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00"))
    # dbt's debug log file too (off by default), where each statement and connection is written
    (paths().dbt_logs / "dbt.log").unlink(missing_ok=True)
    run_dag_test(url, as_of.date().isoformat(), "e2e-secrets.log", {"DBT_LOG_LEVEL_FILE": "debug"})
    assert (paths().dbt_logs / "dbt.log").stat().st_size > 0

    leaks = []
    for root, _, files in os.walk(paths().home):
        if "pgdata" in Path(root).parts:
            continue
        for name in files:
            path = Path(root) / name
            if PASSWORD.encode() in path.read_bytes():
                leaks.append(str(path))
    assert leaks == []
    tracked = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and ".venv" not in p.parts
        and ".revgen" not in p.parts
        and ".git" not in p.parts
    ]
    assert not [
        p for p in tracked if PASSWORD.encode() in p.read_bytes() and p.name != Path(__file__).name
    ]

    text_columns = rows(
        url,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'text'",
    )
    with_at = [
        f"{t}.{c}"
        for t, c in text_columns
        if rows(
            url,
            f'select count(*) from marts."{t}" where "{c}" ~* %s',
            (r"[^@\s]+@[^@\s]+\.[a-z]{2,}",),
        )
        != [(0,)]
    ]
    assert with_at == []  # no email address in any mart
    detector = rows(
        url,
        "select count(*) from staging.stg_marketing__contacts where email ~* %s",
        (r"[^@\s]+@[^@\s]+\.[a-z]{2,}",),
    )[0][0]
    assert detector > 0  # the same check does find the addresses where they are
