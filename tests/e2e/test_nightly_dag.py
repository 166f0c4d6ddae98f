"""`airflow dags test` of the nightly DAG on a generated company, against a real PostgreSQL."""

from datetime import datetime

import pytest

from revgen.config import paths
from revgen.contract import STREAMS
from revgen.demo import run_dag_test
from revgen.generate import generate_company
from tests.helpers import ROOT, empty_revgen_schemas, files_holding, rows, schema_checksums


@pytest.fixture(scope="module")
def nightly_run(warehouse):
    truth = generate_company(people=800, seed=11, days=60, out=paths().landing, progress=False)
    empty_revgen_schemas(warehouse, demo=truth["generator"])
    logical_date = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00"))
    # dbt's debug log file too (off by default): each statement and connection, for the secrets
    # test to search
    (paths().dbt_logs / "dbt.log").unlink(missing_ok=True)
    log = run_dag_test(
        warehouse, logical_date.date().isoformat(), "e2e-1.log", {"DBT_LOG_LEVEL_FILE": "debug"}
    )
    return warehouse, truth, logical_date.date().isoformat(), log


def test_dag_run_fills_raw_marts_and_quality_results_as_the_ground_truth_says(nightly_run):
    url, truth, _, log = nightly_run
    text = open(log).read()
    for task in (
        "extract_marketing_files",
        "load_crm_leads",
        "dbt_build",
        "dbt_staging",
        "dbt_snapshots",
        "dbt_intermediate",
        "dbt_marts",
        "check_quality",
        "alert_orphans",
        "summarize",
    ):
        assert f"end task task_id={task}" in text
    # the quality task's log says how each suite did, without GX's talk of its own workings
    assert "suite kpi_sanity (blocking): passed" in text
    gx_info = [
        line for line in text.splitlines() if "[info" in line and "[great_expectations" in line
    ]
    assert not gx_info, gx_info[:3]
    for stream in STREAMS:
        key = f"{stream.source}.{stream.name}"
        assert rows(url, f"select count(*) from {stream.table}")[0][0] == truth["rows"][key], key
    volume = dict(
        rows(url, "select stage_name, people from marts.kpi_stage_volume where stage_order >= 3")
    )
    assert volume == truth["people_per_stage"]
    assert dict(rows(url, "select person_id, reason from marts.orphaned_leads")) == truth["orphans"]
    results = dict(
        rows(url, "select suite, bool_and(success) from revgen_meta.quality_results group by suite")
    )
    assert results.pop("ownership") is False  # the injected orphans: a warning, not a failure
    assert results and all(results.values()), results
    assert rows(url, "select count(*) from revgen_meta.rejects") == [
        (len(truth["expected_rejects"]),)
    ]


def test_no_file_written_holds_the_warehouse_password_and_no_email_reaches_the_marts(nightly_run):
    """No secret in task logs, dbt's files (its debug log too) or rendered fields: after the
    run, every file revgen and Airflow wrote, and every file of the checkout, is searched for
    the warehouse login's password. And no person's email reaches the marts (PII stays in raw
    and staging; the marts carry ids)."""
    from revgen.db import conninfo
    from revgen.db.local import LocalPostgres

    url = nightly_run[0]
    password = conninfo(url)["password"]
    assert len(password) >= 16  # revgen's local server makes a random one
    assert (paths().dbt_logs / "dbt.log").stat().st_size > 0
    # the local server's own credentials file holds it by design (0600, beside its data)
    credentials = LocalPostgres(paths().home / "pgdata").credentials_file
    assert files_holding(paths().home, [password], (credentials,)) == []
    assert files_holding(ROOT, [password], folders_aside=(".venv", ".revgen", ".git")) == []

    text_columns = rows(
        url,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'text'",
    )
    email = r"[^@\s]+@[^@\s]+\.[a-z]{2,}"
    with_at = [
        f"{table}.{column}"
        for table, column in text_columns
        if rows(url, f'select count(*) from marts."{table}" where "{column}" ~* %s', (email,))
        != [(0,)]
    ]
    assert with_at == []  # no email address in any mart
    found = rows(
        url, "select count(*) from staging.stg_marketing__contacts where email ~* %s", (email,)
    )
    assert found[0][0] > 0  # the same check does find the addresses where they are


def test_a_second_run_of_the_same_date_gives_identical_tables_and_no_duplicates(nightly_run):
    url, truth, logical_date, _ = nightly_run
    before = schema_checksums(url)
    run_dag_test(url, logical_date, "e2e-2.log")
    assert schema_checksums(url) == before
    for stream in STREAMS:
        key = ", ".join(stream.primary_key)
        total, distinct = rows(
            url, f"select count(*), count(distinct ({key})) from {stream.table}"
        )[0]
        assert total == distinct == truth["rows"][f"{stream.source}.{stream.name}"]


def test_the_hourly_watch_finds_an_orphan_created_after_the_nightly_run(nightly_run):
    import csv
    from datetime import timedelta

    url, truth, logical_date, _ = nightly_run
    as_of = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00"))
    before = dict(rows(url, "select person_id, reason from marts.orphaned_leads"))
    owner, people = rows(
        url,
        """select owner_id, array_agg(person_id order by person_id)
        from marts.dim_people
        where current_stage = 'lead' and owner_is_active and owner_team = 'sales'
          and person_id not in (select person_id from marts.orphaned_leads)
        group by owner_id order by owner_id limit 1""",
    )[0]
    users = paths().landing / "crm" / "users.csv"
    with open(users, newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        row = next(r for r in reader if r["user_id"] == owner)
    row.update(
        is_active="false",
        deactivated_at=(as_of + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    with open(paths().landing / "crm" / "users-offboarding.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(row)

    hour = (as_of + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    log = run_dag_test(url, hour, "e2e-watch.log", dag_id="watch_ownership_hourly")
    text = open(log).read()
    for task in ("load_crm_users", "rebuild_ownership_models", "check_ownership", "alert_orphans"):
        assert f"end task task_id={task}" in text
    after = dict(rows(url, "select person_id, reason from marts.orphaned_leads"))
    assert {person: after.get(person) for person in people} == {
        person: "owner_inactive" for person in people
    }
    assert set(after) - set(before) == set(people)
    (failing,) = rows(
        url,
        "select failing_ids from revgen_meta.quality_results "
        "where suite = 'ownership' order by checked_at desc limit 1",
    )[0]
    assert set(people) <= set(failing)  # the watch's own GX check names them


def test_a_blocking_failure_fails_the_run_and_the_failure_is_emailed(nightly_run, tmp_path):
    """A company whose gates say a deal may not be won before its person was known makes that
    suite blocking; one such deal arrives: check_quality fails, so the run fails, and the failure
    notifier emails (a real SMTP server on 127.0.0.1) which task failed and why. The ownership
    suite's failure in the same run is only a warning."""
    import json

    from aiosmtpd.controller import Controller

    from revgen.db.local import free_port
    from revgen.errors import StepFailed

    url, truth, logical_date, _ = nightly_run

    class Inbox:
        messages: list[str] = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope.content.decode())
            return "250 OK"

    port = free_port()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    suites = (ROOT / "expectations" / "suites.yml").read_text()
    strict = tmp_path / "suites.yml"
    strict.write_text(
        suites.replace(
            "    blocking: false   # a data-entry slip in the CRM is reported, it does not stop the night",
            "    blocking: true",
        )
    )
    assert strict.read_text() != suites
    won = rows(
        url,
        """select o.opportunity_id, c.created_at from raw_crm.opportunities o
        join raw_crm.leads l on l.lead_id = o.lead_id
        join raw_marketing.contacts c on c.contact_id = l.contact_id
        where o.stage = 'won' order by 1 limit 1""",
    )[0]
    import csv

    with open(paths().landing / "crm" / "opportunities.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        deal = next(r for r in reader if r["opportunity_id"] == won[0])
    deal["closed_at"] = "2025-12-01T00:00:00Z"  # won before the person was first known
    spend = paths().landing / "crm" / "opportunities-correction.csv"
    with open(spend, "w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(deal)
    connection = json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {"from": "revgen@test", "to": ["data-eng@test"]},
        }
    )
    try:
        with pytest.raises(StepFailed, match="failed"):
            run_dag_test(
                url,
                logical_date,
                "e2e-blocking.log",
                extra_env={"AIRFLOW_CONN_REVGEN_SMTP": connection, "REVGEN_SUITES": str(strict)},
            )
    finally:
        smtp.stop()
        spend.unlink()
    log = open(paths().home / "logs" / "e2e-blocking.log").read()
    assert "BLOCKING raw_crm_opportunities.unexpected_rows_expectation failed" in log
    failures = [m for m in inbox.messages if "failed at check_quality" in m]
    assert len(failures) == 1 and "Blocking quality checks failed" in failures[0]
    assert rows(
        url,
        """select bool_and(success) from revgen_meta.quality_results
        where suite = 'raw_crm_opportunities' and run_id = (
            select run_id from revgen_meta.quality_results order by checked_at desc limit 1)""",
    ) == [(False,)]
