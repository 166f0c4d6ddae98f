"""HubSpot and Salesforce extractors against local servers speaking their wire formats:
many pages, 429 then success, 500 then success, and resuming from the watermark after an
interruption with nothing lost and nothing doubled."""

import pytest

from revgen.contract import stream
from revgen.load.incremental import get_watermark, run_incremental
from revgen.records import IncrementalStream
from revgen.sources.http import ApiError, RetryPolicy
from revgen.sources.hubspot.client import HubSpot
from revgen.sources.salesforce.client import Salesforce
from tests.fakes.company_data import clean_rows
from tests.fakes.hubspot import HubSpotData
from tests.fakes.salesforce import SalesforceData
from tests.fakes.server import FakeApi
from tests.helpers import rows

FAST = RetryPolicy(attempts=3, initial_wait_s=0.01, max_wait_s=0.05)
CONTACT_COLUMNS = stream("marketing", "contacts").column_names


@pytest.fixture(scope="module")
def company_rows(company):
    """The company as HubSpot and Salesforce would serve it (merged and deleted contacts are not
    served by HubSpot: it returns surviving records only)."""
    folder, truth = company
    rows_by_stream = {
        name: clean_rows(folder, truth, source, name)
        for source, name in [
            ("marketing", "contacts"),
            ("marketing", "campaigns"),
            ("crm", "users"),
            ("crm", "leads"),
            ("crm", "opportunities"),
            ("crm", "activities"),
        ]
    } | {"history": clean_rows(folder, truth, "crm", "opportunity_history")}
    rows_by_stream["contacts"] = [
        r for r in rows_by_stream["contacts"] if not r["merged_into_id"] and not r["is_deleted"]
    ]
    return rows_by_stream


def _by_key(item: IncrementalStream, client) -> IncrementalStream:
    return next(s for s in client.streams() if s.key == item)


def _loaded_contacts(url):
    columns = ", ".join(f"{c}::text" for c in CONTACT_COLUMNS)
    return rows(url, f"select {columns} from raw_marketing.contacts order by contact_id")


def _expected_contacts(company_rows, url):
    """The CSV rows as the warehouse prints them (timestamps normalised by PostgreSQL)."""
    values = ", ".join(
        "("
        + ", ".join(
            "null" if r[c] is None else "'" + r[c].replace("'", "''") + "'" for c in CONTACT_COLUMNS
        )
        + ")"
        for r in company_rows["contacts"]
    )
    casts = ", ".join(
        f"{c}::{'timestamptz' if c.endswith('_at') else 'text'}::text"
        if c != "company_size"
        else f"{c}::bigint::text"
        for c in CONTACT_COLUMNS
    )
    return rows(
        url,
        f"select {casts} from (values {values}) as v({', '.join(CONTACT_COLUMNS)}) "
        "order by contact_id",
    )


# ------------------------------------------------------------------------------------- HubSpot
def test_hubspot_contacts_over_many_pages_equal_the_source(empty_warehouse, company_rows):
    data = HubSpotData(company_rows)
    with FakeApi(data.route) as fake:
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=37)
        result = run_incremental(empty_warehouse, _by_key("contacts", client), chunk_rows=100)
    searches = [entry for entry in fake.log if entry[1].endswith("/search")]
    assert len(searches) == -(-len(company_rows["contacts"]) // 37)  # every page, once
    assert result.rows_loaded == len(company_rows["contacts"]) and result.rows_rejected == 0
    assert _loaded_contacts(empty_warehouse) == _expected_contacts(company_rows, empty_warehouse)
    assert rows(empty_warehouse, "select distinct _source from raw_marketing.contacts") == [
        ("hubspot",)
    ]
    newest = max(r["updated_at"] for r in company_rows["contacts"])
    assert get_watermark_value(empty_warehouse, "hubspot", "contacts") == newest


def get_watermark_value(url, system, key):
    from revgen.db import connect

    with connect(url) as conn:
        return get_watermark(conn, system, key)


def test_hubspot_429_with_retry_after_then_success(empty_warehouse, company_rows):
    data = HubSpotData(company_rows)
    with FakeApi(data.route) as fake:
        fake.faults = [(429, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=500)
        result = run_incremental(empty_warehouse, _by_key("contacts", client))
    assert result.rows_loaded == len(company_rows["contacts"])
    assert client.api.requests_made == len(fake.log) == 2 + 2  # two refusals, two pages


def test_hubspot_500_then_success(empty_warehouse, company_rows):
    data = HubSpotData(company_rows)
    with FakeApi(data.route) as fake:
        fake.faults = [(500, {}), (503, {})]
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=500)
        result = run_incremental(empty_warehouse, _by_key("contacts", client))
    assert result.rows_loaded == len(company_rows["contacts"])


def test_hubspot_resumes_from_the_watermark_after_an_interruption(empty_warehouse, company_rows):
    data = HubSpotData(company_rows)
    total = len(company_rows["contacts"])
    with FakeApi(data.route) as fake:
        fake.fail_from = 6  # pages 1-5 answer, then the API goes down for good
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=50)
        with pytest.raises(ApiError, match="resumes from the last saved watermark"):
            run_incremental(empty_warehouse, _by_key("contacts", client), chunk_rows=100)
        # two full chunks (4 pages) committed with their watermark; the 5th page was not
        loaded = rows(empty_warehouse, "select count(*) from raw_marketing.contacts")[0][0]
        assert loaded == 200
        mark = get_watermark_value(empty_warehouse, "hubspot", "contacts")
        ordered = sorted(company_rows["contacts"], key=lambda r: (r["updated_at"], r["contact_id"]))
        assert mark == ordered[199]["updated_at"]

        fake.fail_from, fake.log = None, []
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=50)
        result = run_incremental(empty_warehouse, _by_key("contacts", client), chunk_rows=100)
    first = fake.log[0][3]
    assert first["filterGroups"][0]["filters"][0]["operator"] == "GTE"  # resumed, not from zero
    assert result.rows_read < total
    assert rows(
        empty_warehouse, "select count(*), count(distinct contact_id) from raw_marketing.contacts"
    ) == [(total, total)]
    assert _loaded_contacts(empty_warehouse) == _expected_contacts(company_rows, empty_warehouse)


def test_hubspot_every_object_lands_in_its_contract_table(empty_warehouse, company_rows):
    data = HubSpotData(company_rows)
    with FakeApi(data.route) as fake:
        client = HubSpot("test-token", base_url=fake.url, retry_policy=FAST, page_size=40)
        results = {item.key: run_incremental(empty_warehouse, item) for item in client.streams()}
    expected = {
        "owners": len(company_rows["users"]),
        "campaigns": len(company_rows["campaigns"]),
        "contacts": len(company_rows["contacts"]),
        "deals": len(company_rows["opportunities"]),
        "deal_stage_history": len(company_rows["history"]),
        "engagements": sum(
            r["activity_type"] in ("call", "meeting") for r in company_rows["activities"]
        ),
    }
    assert {key: r.rows_loaded for key, r in results.items()} == expected
    assert all(r.rows_rejected == 0 for r in results.values())
    stages = dict(
        rows(empty_warehouse, "select stage, count(*) from raw_crm.opportunities group by 1")
    )
    source_stages = {}
    for r in company_rows["opportunities"]:
        source_stages[r["stage"]] = source_stages.get(r["stage"], 0) + 1
    assert stages == source_stages


# ---------------------------------------------------------------------------------- Salesforce
def _salesforce(fake) -> Salesforce:
    return Salesforce(fake.url, "test-token", retry_policy=FAST)


def _lead_rows(url):
    return rows(
        url,
        "select lead_id, contact_id, email, status, lead_source, owner_id, "
        "created_at, updated_at from raw_crm.leads order by lead_id",
    )


def _expected_leads(company_rows):
    from datetime import datetime

    def at(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return sorted(
        (
            r["lead_id"],
            r["contact_id"],
            r["email"],
            r["status"],
            r["lead_source"],
            r["owner_id"],
            at(r["created_at"]),
            at(r["updated_at"]),
        )
        for r in company_rows["leads"]
    )


def test_salesforce_users_and_leads_over_many_pages_equal_the_source(empty_warehouse, company_rows):
    data = SalesforceData(company_rows, page_size=30)
    with FakeApi(data.route) as fake:
        client = _salesforce(fake)
        users = run_incremental(empty_warehouse, _by_key("User", client))
        leads = run_incremental(empty_warehouse, _by_key("Lead", client), chunk_rows=64)
    assert users.rows_loaded == len(company_rows["users"])
    assert leads.rows_loaded == len(company_rows["leads"]) and leads.rows_rejected == 0
    pages = [entry for entry in fake.log if "/query/" in entry[1]]
    assert len(pages) == -(-len(company_rows["leads"]) // 30) - 1  # nextRecordsUrl followed
    assert _lead_rows(empty_warehouse) == _expected_leads(company_rows)
    roles = dict(rows(empty_warehouse, "select user_id, role from raw_crm.users"))
    assert roles == {u["user_id"]: u["role"] for u in company_rows["users"]}


def test_salesforce_429_then_500_then_success(empty_warehouse, company_rows):
    data = SalesforceData(company_rows, page_size=100)
    with FakeApi(data.route) as fake:
        client = _salesforce(fake)
        run_incremental(empty_warehouse, _by_key("User", client))
        fake.faults = [(429, {"Retry-After": "0"}), (500, {})]
        leads = run_incremental(empty_warehouse, _by_key("Lead", client))
    assert leads.rows_loaded == len(company_rows["leads"])
    assert [status for status, _ in fake.faults] == []


def test_salesforce_resumes_from_the_watermark_after_an_interruption(empty_warehouse, company_rows):
    data = SalesforceData(company_rows, page_size=25)
    total = len(company_rows["leads"])
    with FakeApi(data.route) as fake:
        client = _salesforce(fake)
        run_incremental(empty_warehouse, _by_key("User", client))
        fake.fail_from = len(fake.log) + 4  # three lead pages answer, then the API is down
        with pytest.raises(ApiError):
            run_incremental(empty_warehouse, _by_key("Lead", client), chunk_rows=50)
        assert rows(empty_warehouse, "select count(*) from raw_crm.leads") == [(50,)]
        fake.fail_from, fake.log = None, []
        run_incremental(empty_warehouse, _by_key("Lead", client), chunk_rows=50)
    assert "WHERE SystemModstamp >= " in fake.log[0][2]["q"]  # resumed from the watermark
    assert rows(empty_warehouse, "select count(*), count(distinct lead_id) from raw_crm.leads") == [
        (total, total)
    ]
    assert _lead_rows(empty_warehouse) == _expected_leads(company_rows)
