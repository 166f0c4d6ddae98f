"""Exports shaped as real companies' are: Salesforce's own lead statuses, HubSpot's lifecycle
stages, people with no email, leads with no contact, a prospect owned by a marketing user, a deal
won before its person's first record, and a minimal export with every optional column empty.
Real PostgreSQL, real dbt builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from revgen.dbt import run_dbt
from tests.helpers import empty_revgen_schemas, load_company, rows

AS_OF = "2026-04-01T00:00:00Z"

# a company's own policy: only what differs from the shipped one
POLICY = """
evidence:
  prospect: [computed, crm_lead]
  lead: [computed, lifecycle, crm_lead]
  opportunity: [lead_converted, opportunity_created]
  customer: [won_deal]
owners:
  prospect: [nurture_program, marketing_user]
  customer: [account_owner, won_deal_owner]
opportunity: {require_budget: false}
"""

SHAPED = {
    "crm/users.csv": (
        "user_id,name,role,team,is_active\n"
        "U1,Sam Sales,ae,sales,true\n"
        "U2,Mia Marketing,marketing,marketing,true\n"
    ),
    # Salesforce's standard statuses, as the CRM exports them (no `values:` mapping anywhere)
    "crm/leads.csv": (
        "lead_id,contact_id,status,owner_id,created_at,updated_at\n"
        "L1,,Open - Not Contacted,U1,2026-03-31T20:00:00Z,2026-03-31T20:00:00Z\n"
        "L2,M1,Working - Contacted,U1,2026-02-01T10:00:00Z,2026-03-01T10:00:00Z\n"
        "L3,M2,Nurturing,U2,2026-02-05T10:00:00Z,2026-02-05T10:00:00Z\n"
        "L4,,Closed - Converted,U1,2026-01-20T10:00:00Z,2026-03-15T10:00:00Z\n"
        "L5,,Working - Contacted,U1,2026-02-10T10:00:00Z,2026-02-10T10:00:00Z\n"
        # M3 has an open deal (from L6) and, later, a new inbound lead L7
        "L6,M3,Working - Contacted,U1,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z\n"
        "L7,M3,Open - Not Contacted,U2,2026-03-20T10:00:00Z,2026-03-20T10:00:00Z\n"
        # an export keyed by email: the contact's id is an address
        "L8,zoe@globex.example,Working - Contacted,U1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z\n"
    ),
    # a CRM contact converted from lead L5; the export ties a deal and a call to the contact
    "crm/contacts.csv": "contact_id,lead_id,created_at\nK5,L5,2026-02-11T10:00:00Z\n",
    "crm/activities.csv": (
        "activity_id,activity_type,owner_id,contact_id,started_at\n"
        "AC1,call,U1,K5,2026-03-30T10:00:00Z\n"
    ),
    "crm/lead_history.csv": (
        "history_id,lead_id,field,old_value,new_value,changed_at\n"
        "H1,L2,status,,Working - Contacted,2026-02-01T10:00:00Z\n"
        "H2,L2,status,Working - Contacted,Nurturing,2026-03-01T10:00:00Z\n"
    ),
    # won two days before the lead was created: a late CRM record, not a backward move
    "crm/opportunities.csv": (
        "opportunity_id,lead_id,contact_id,stage,amount,owner_id,created_at,closed_at\n"
        "O1,L4,,won,5000,U1,2026-01-10T10:00:00Z,2026-01-18T10:00:00Z\n"
        "O2,,K5,proposal,800,U1,2026-02-20T10:00:00Z,\n"
        "O3,L6,,proposal,900,U1,2026-02-15T10:00:00Z,\n"
    ),
    # no email column at all: people known by id alone
    "marketing/contacts.csv": (
        "contact_id,created_at,updated_at\n"
        "M1,2026-01-15T10:00:00Z,2026-01-15T10:00:00Z\n"
        "M2,2026-01-15T10:00:00Z,2026-01-15T10:00:00Z\n"
        "M3,2026-01-15T10:00:00Z,2026-01-15T10:00:00Z\n"
        "zoe@globex.example,2026-02-15T10:00:00Z,2026-02-15T10:00:00Z\n"
    ),
    # HubSpot's own lifecycle words
    "marketing/lifecycle_changes.csv": (
        "change_id,contact_id,lifecycle_stage,changed_at\n"
        "LC1,M1,marketingqualifiedlead,2026-01-20T10:00:00Z\n"
    ),
}


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (folder / "marketing").mkdir(exist_ok=True)
    (folder / "crm").mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def shaped(warehouse, tmp_path_factory):
    folder = _write(tmp_path_factory.mktemp("shaped"), SHAPED)
    policy = folder / "policy.yml"
    policy.write_text(POLICY)
    empty_revgen_schemas(warehouse)
    load_company(warehouse, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVGEN_POLICY", str(policy))
        run_dbt(warehouse, ["build"], as_of=AS_OF)
    return warehouse


def _people(url: str) -> dict[str, tuple]:
    return {
        person: (stage, owner, owner_type)
        for person, stage, owner, owner_type in rows(
            url, "select person_id, current_stage, owner_id, owner_type from marts.dim_people"
        )
    }


def test_salesforce_standard_statuses_reach_the_contract_words_without_a_values_entry(shaped):
    statuses = dict(rows(shaped, "select lead_id, status from staging.stg_crm__leads"))
    assert statuses == {
        "L1": "new",
        "L2": "working",
        "L3": "nurturing",
        "L4": "converted",
        "L5": "working",
        "L6": "working",
        "L7": "new",
        "L8": "working",
    }


def test_a_person_can_be_a_lead_alone_or_a_contact_without_email(shaped):
    people = _people(shaped)
    keyed = [person for person in people if person.startswith("pii:")]
    assert len(keyed) == 1  # the contact keyed by email: a keyed hash stands for it
    assert set(people) - set(keyed) == {"M1", "M2", "M3", "lead:L1", "lead:L4", "lead:L5"}
    matched = dict(rows(shaped, "select lead_id, person_id from intermediate.int_leads_resolved"))
    assert matched == {
        "L1": "lead:L1",
        "L2": "M1",
        "L3": "M2",
        "L4": "lead:L4",
        "L5": "lead:L5",
        "L6": "M3",
        "L7": "M3",
        "L8": keyed[0],
    }
    assert rows(shaped, "select count(*) from marts.dim_people where email_hash is not null") == [
        (0,)
    ]


def test_nurturing_after_sales_work_is_a_recycle_but_nurturing_from_the_start_is_not(shaped):
    moves = rows(
        shaped,
        "select person_id, from_stage, to_stage, direction, reason "
        "from marts.fct_stage_transitions order by person_id, transition_number",
    )
    m1 = [move[1:] for move in moves if move[0] == "M1"]
    # known, then MQL from HubSpot's lifecycle stage, then back to marketing when sales let go
    assert m1 == [
        ("database", "lead", "forward", "lifecycle"),
        ("lead", "prospect", "backward", "recycled"),
    ]
    m2 = [move[1:] for move in moves if move[0] == "M2"]
    assert m2 == [("database", "prospect", "forward", "crm_lead")]
    recycled = rows(
        shaped, "select count(*) from marts.fct_stage_transitions where reason = 'recycled'"
    )
    assert recycled == [(1,)]


def test_a_deal_won_before_its_lead_was_created_still_makes_a_customer(shaped):
    people = _people(shaped)
    assert people["lead:L4"][0] == "customer"
    moves = rows(
        shaped,
        "select to_stage, transitioned_at::date::text from marts.fct_stage_transitions "
        "where person_id = 'lead:L4' order by transition_number",
    )
    assert moves == [("opportunity", "2026-01-10"), ("customer", "2026-01-18")]
    known = rows(
        shaped, "select created_at::date::text from marts.dim_people where person_id = 'lead:L4'"
    )
    assert known == [("2026-01-20",)]  # the record's own date stays what the CRM says
    volume = dict(rows(shaped, "select stage_name, people from marts.kpi_stage_volume"))
    assert volume["customer"] == 1 and sum(volume.values()) == len(people)


def test_a_record_level_anomaly_is_reported_by_id_and_no_blocking_check_fails(shaped):
    from revgen.quality.gx import run_suites

    outcomes = run_suites(shaped, "shapes-1")  # raises StepFailed if a blocking suite failed
    assert all(o.success for o in outcomes if o.blocking)
    (anomaly,) = [o for o in outcomes if o.suite == "raw_crm_opportunities" and not o.success]
    assert anomaly.failing_ids == ["O1"]  # won two days before its lead was created


def test_owners_follow_the_policy_a_marketing_user_owns_a_prospect_a_rep_their_customer(shaped):
    people = _people(shaped)
    assert people["M2"] == ("prospect", "U2", "user")  # marketing_user
    assert people["lead:L4"] == ("customer", "U1", "user")  # won_deal_owner (no account)
    orphans = dict(rows(shaped, "select person_id, reason from marts.orphaned_leads"))
    assert "M2" not in orphans and "lead:L4" not in orphans
    assert orphans["M1"] == "no_owner"  # recycled: no program, its lead owner is in sales
    assert "lead:L1" not in orphans  # handed over 4 hours ago, within the 24-hour SLA


def test_a_deal_and_a_call_naming_a_crm_contact_reach_the_lead_it_came_from(shaped):
    person = rows(
        shaped,
        "select current_stage, opportunity_id, last_owner_touch_at::date::text "
        "from marts.dim_people where person_id = 'lead:L5'",
    )
    assert person == [("opportunity", "O2", "2026-03-30")]
    call = rows(
        shaped,
        "select person_lead_id, person_id from intermediate.int_activities_resolved "
        "where activity_id = 'AC1'",
    )
    assert call == [("L5", "lead:L5")]


def test_a_newer_lead_never_hides_the_open_deal_and_its_owner(shaped):
    person = rows(
        shaped,
        "select current_stage, opportunity_id, owner_id, lead_id from marts.dim_people "
        "where person_id = 'M3'",
    )
    assert person == [("opportunity", "O3", "U1", "L7")]
    # owned by the deal's rep: never no_owner (untouched since February, so stale)
    assert rows(shaped, "select reason from marts.orphaned_leads where person_id = 'M3'") == [
        ("stale",)
    ]


def test_an_export_keyed_by_email_puts_no_address_into_the_marts_or_the_alert(shaped):
    from revgen.alerts.orphans import build_orphan_alert

    ids = [person for (person,) in rows(shaped, "select person_id from marts.dim_people")]
    assert ids and not [person for person in ids if "@" in person]
    orphans = rows(shaped, "select person_id from marts.orphaned_leads")
    assert not [person for (person,) in orphans if "@" in person]
    assert "@" not in build_orphan_alert(shaped).text()


# --------------------------------------------------------------------- the minimal export
MINIMAL = {
    "marketing/nurture_programs.csv": "program_id,name,is_active\nP1,Welcome,true\n",
    "marketing/campaigns.csv": "campaign_id,name,channel,started_on\nC1,Spring,email,2026-01-01\n",
    "marketing/campaign_spend.csv": "campaign_id,spend_date,amount,currency\nC1,2026-01-02,100,USD\n",
    "marketing/contacts.csv": "contact_id,created_at,updated_at\nM1,2026-01-10T00:00:00Z,2026-01-10T00:00:00Z\n",
    # a touch with no contact and no campaign (both optional)
    "marketing/touchpoints.csv": "touchpoint_id,channel,touch_type,touched_at\nT1,social,impression,2026-01-05T00:00:00Z\n",
    "marketing/lead_scores.csv": "score_id,contact_id,score,scored_at\nS1,M1,80,2026-01-11T00:00:00Z\n",
    "marketing/lifecycle_changes.csv": "change_id,contact_id,lifecycle_stage,changed_at\nLC1,M1,lead,2026-01-11T00:00:00Z\n",
    "crm/users.csv": "user_id,name,role,team,is_active\nU1,Sam,ae,sales,true\n",
    "crm/accounts.csv": "account_id,name,created_at\nA1,Acme,2026-01-01T00:00:00Z\n",
    "crm/leads.csv": "lead_id,status,created_at,updated_at\nL1,new,2026-01-12T00:00:00Z,2026-01-12T00:00:00Z\n",
    "crm/lead_history.csv": "history_id,lead_id,field,changed_at\nH1,L1,status,2026-01-12T00:00:00Z\n",
    "crm/contacts.csv": "contact_id,created_at\nK1,2026-01-13T00:00:00Z\n",
    "crm/opportunities.csv": "opportunity_id,stage,created_at\nO1,discovery,2026-01-14T00:00:00Z\n",
    "crm/opportunity_history.csv": "history_id,opportunity_id,stage,changed_at\nOH1,O1,discovery,2026-01-14T00:00:00Z\n",
    "crm/activities.csv": "activity_id,activity_type,owner_id,started_at\nAC1,call,U1,2026-01-15T00:00:00Z\n",
    "crm/orders.csv": "order_id,account_id,order_type,product,amount,currency,started_on\nR1,A1,new_business,Pro,900,USD,2026-01-20\n",
}


def test_a_minimal_export_with_every_optional_column_empty_builds_every_mart(
    empty_warehouse, tmp_path
):
    from revgen.contract import STREAMS

    assert {f"{s.source}/{s.name}.csv" for s in STREAMS} == set(MINIMAL)  # every stream
    for stream in STREAMS:  # required columns only
        header = MINIMAL[f"{stream.source}/{stream.name}.csv"].splitlines()[0].split(",")
        assert set(header) == {c.name for c in stream.columns if c.required}, stream.name
    results = load_company(empty_warehouse, _write(tmp_path, MINIMAL))
    assert sum(r.rows_rejected for r in results) == 0
    run_dbt(empty_warehouse, ["build"], as_of=AS_OF)  # raises, naming the model, on any failure
    marts = rows(
        empty_warehouse,
        "select table_name from information_schema.tables where table_schema = 'marts'",
    )
    assert len(marts) >= 20
    assert rows(empty_warehouse, "select count(*) from marts.dim_people") == [(2,)]  # M1, lead:L1


def test_a_reject_that_a_later_load_accepts_is_resolved_not_left_open(empty_warehouse, tmp_path):
    from revgen.db import connect
    from revgen.load.run import load_source
    from revgen.report.summary import reject_counts

    users = "user_id,name,role,team,is_active\nU1,Sam,ae,sales,true\n"
    header = "lead_id,status,owner_id,created_at,updated_at\n"
    crm = tmp_path / "crm"
    crm.mkdir()
    (crm / "users.csv").write_text(users)
    (crm / "leads-2026-03-01.csv").write_text(
        header + "L1,new,U1,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z\n"
        "L2,new,U1,2026-02-30T10:00:00Z,2026-03-01T10:00:00Z\n"
    )
    load_source(empty_warehouse, "crm", crm)
    assert rows(empty_warehouse, "select record_key, resolved_at from revgen_meta.rejects") == [
        ("L2", None)
    ]
    (crm / "leads-2026-03-02.csv").write_text(
        header + "L2,new,U1,2026-03-02T09:00:00Z,2026-03-02T09:00:00Z\n"
    )
    load_source(empty_warehouse, "crm", crm)
    resolved = rows(
        empty_warehouse,
        "select r.record_key, r.resolved_batch_id = l.batch_id from revgen_meta.rejects r "
        "join revgen_meta.load_runs l on l.file_name = 'leads-2026-03-02.csv'",
    )
    assert resolved == [("L2", True)]
    with connect(empty_warehouse) as conn:
        assert reject_counts(conn) == (0, 1)  # what the run summary prints


LOST_DEAL = {
    "crm/users.csv": "user_id,name,role,team,is_active\nU1,Sam Sales,ae,sales,true\n",
    "crm/leads.csv": (
        "lead_id,contact_id,status,owner_id,created_at,updated_at\n"
        "L1,,Working - Contacted,U1,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z\n"
    ),
    "crm/opportunities.csv": (
        "opportunity_id,lead_id,stage,amount,owner_id,created_at,closed_at\n"
        "O1,L1,lost,700,U1,2026-02-10T10:00:00Z,2026-03-01T10:00:00Z\n"
    ),
}


@pytest.mark.parametrize(
    ("returns_to", "stage", "orphaned"),
    [("prospect", "prospect", True), ("database", "database", False)],
)
def test_a_lost_deal_returns_where_the_policy_says(
    empty_warehouse, tmp_path, monkeypatch, returns_to, stage, orphaned
):
    """By default a lost deal's person goes back to marketing (principle 3); nobody nurtures them
    in a CRM-only export, so they are an orphan. A company that closes lost deals for good says
    `lost_returns_to: database`: the person is known, no longer worked, nobody's to own."""
    folder = _write(tmp_path, LOST_DEAL)
    policy = folder / "policy.yml"
    policy.write_text(
        POLICY.replace(
            "opportunity: {require_budget: false}",
            f"opportunity: {{require_budget: false, lost_returns_to: {returns_to}}}",
        )
    )
    load_company(empty_warehouse, folder)
    monkeypatch.setenv("REVGEN_POLICY", str(policy))
    # what the test reads (orphaned_leads and dim_people, upstream of it) and what they read;
    # cautious: no test of a model outside the selection
    selected = ["--select", "+orphaned_leads", "--indirect-selection", "cautious"]
    run_dbt(empty_warehouse, ["build", *selected], as_of=AS_OF)
    assert _people(empty_warehouse)["lead:L1"][0] == stage
    orphans = rows(empty_warehouse, "select person_id from marts.orphaned_leads")
    assert (("lead:L1",) in orphans) is orphaned
