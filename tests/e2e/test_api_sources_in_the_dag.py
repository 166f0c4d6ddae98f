"""The nightly DAG with a HubSpot connection: the API branch runs (one task per object, in
reference order), Salesforce (not configured) is skipped, and the rows land with their source."""

import json
from datetime import datetime

from revgen.config import paths
from revgen.demo import run_dag_test
from revgen.generate import generate_company
from tests.fakes.company_data import clean_rows
from tests.fakes.hubspot import HubSpotData
from tests.fakes.server import FakeApi
from tests.helpers import empty_revgen_schemas, rows


def test_hubspot_objects_flow_through_the_dag_and_salesforce_is_skipped(warehouse, tmp_path):
    folder = tmp_path / "company"
    truth = generate_company(people=300, seed=5, days=45, out=folder, progress=False)
    data = {
        name: clean_rows(folder, truth, source, name)
        for source, name in [
            ("marketing", "contacts"),
            ("marketing", "campaigns"),
            ("crm", "users"),
            ("crm", "opportunities"),
            ("crm", "activities"),
        ]
    }
    data["history"] = clean_rows(folder, truth, "crm", "opportunity_history")
    empty_revgen_schemas(warehouse)
    for source in ("marketing", "crm"):  # no export files: the files path has nothing to do
        for old in (paths().landing / source).glob("*"):
            old.unlink()
    fake_data = HubSpotData(data)
    with FakeApi(fake_data.route) as fake:
        host, port = fake.url.rsplit(":", 1)
        connection = json.dumps(
            {"conn_type": "http", "host": host, "port": int(port), "password": "pat-test-token"}
        )
        as_of = datetime.fromisoformat(truth["generator"]["as_of"].replace("Z", "+00:00"))
        log = run_dag_test(
            warehouse,
            as_of.date().isoformat(),
            "e2e-hubspot.log",
            extra_env={"AIRFLOW_CONN_REVGEN_HUBSPOT": connection},
        )
    text = open(log).read()
    assert "end task task_id=extract_hubspot_deals" in text
    assert "end task task_id=extract_salesforce_lead" not in text  # skipped by the branch
    assert rows(warehouse, "select _source, count(*) from raw_marketing.contacts group by 1") == [
        ("hubspot", len(data["contacts"]))
    ]
    assert rows(warehouse, "select count(*) from raw_crm.opportunities") == [
        (len(data["opportunities"]),)
    ]
    marks = dict(
        rows(warehouse, "select stream, value from revgen_meta.watermarks where source = 'hubspot'")
    )
    assert set(marks) == {
        "owners",
        "campaigns",
        "contacts",
        "deals",
        "deal_stage_history",
        "engagements",
    }
    assert "pat-test-token" not in text  # the token never reaches the task logs
    assert all(entry[0] in ("GET", "POST") for entry in fake.log)
