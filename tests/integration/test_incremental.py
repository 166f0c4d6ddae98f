"""Incremental dbt builds give the same tables as a full refresh, after a day of changes that
touch identity (a merge, a deletion, a lead matched to someone else), late rows and new people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revgen.config import paths
from revgen.dbt import run_dbt
from revgen.generate.files import read_csv, write_csv
from tests.helpers import load_company, rows, schema_checksums

AS_OF = "2026-04-01T00:00:00Z"
INCREMENTAL = (
    "int_person_members",
    "int_touchpoints_resolved",
    "int_activities_resolved",
    "int_stage_events_unioned",
    "int_stage_daily_changes",
    "fct_stage_transitions",
)


def _day_two(company: Path, out: Path) -> dict[str, int]:
    """Files of a second day: changed and new records, upserted over the first day's."""
    contacts = read_csv(company / "marketing" / "contacts.csv")
    touchpoints = read_csv(company / "marketing" / "touchpoints.csv")
    leads = read_csv(company / "crm" / "leads.csv")
    activities = read_csv(company / "crm" / "activities.csv")
    roots = [c for c in contacts if not c["merged_into_id"] and c["is_deleted"] != "true"]
    with_leads = {lead["contact_id"] for lead in leads if lead["contact_id"]}
    merged, survivor, deleted = (
        next(c for c in roots if c["contact_id"] in with_leads),
        roots[-1],
        roots[-2],
    )
    merged = {**merged, "merged_into_id": survivor["contact_id"], "updated_at": AS_OF}
    deleted = {**deleted, "is_deleted": "true", "updated_at": AS_OF}
    newcomer = {
        **roots[0],
        "contact_id": "C9999999",
        "email": "newcomer@example.org",
        "created_at": "2026-03-31T09:00:00Z",
        "updated_at": "2026-03-31T09:00:00Z",
    }
    interest = next(t for t in touchpoints if t["contact_id"] and t["touch_type"] != "impression")
    new_touches = [
        {
            **interest,
            "touchpoint_id": f"T9999999-{n:02d}",
            "contact_id": c["contact_id"],
            "touched_at": when,
        }
        for n, (c, when) in enumerate(
            [
                (newcomer, "2026-03-31T10:00:00Z"),
                (roots[5], "2026-03-30T10:00:00Z"),
                (roots[6], "2026-02-10T10:00:00Z"),  # a late row, 7 weeks old
            ]
        )
    ]
    rematched = next(lead for lead in leads if lead["contact_id"] and lead["status"] == "working")
    rematched = {**rematched, "contact_id": roots[7]["contact_id"], "updated_at": AS_OF}
    recycled = next(lead for lead in leads if lead["status"] == "working" and lead is not rematched)
    history = {
        "history_id": "H9999999-01",
        "lead_id": recycled["lead_id"],
        "field": "status",
        "old_value": "working",
        "new_value": "recycled",
        "changed_at": "2026-03-31T12:00:00Z",
    }
    call = {**activities[0], "activity_id": "A9999999-01", "started_at": "2026-03-31T11:00:00Z"}
    write_csv(out / "marketing" / "contacts-day2.csv", [merged, deleted, newcomer])
    write_csv(out / "marketing" / "touchpoints-day2.csv", new_touches)
    write_csv(out / "crm" / "leads-day2.csv", [rematched])
    write_csv(out / "crm" / "lead_history-day2.csv", [history])
    write_csv(out / "crm" / "activities-day2.csv", [call])
    return {"touchpoints": len(new_touches), "contacts": 3}


def _rows_written() -> dict[str, int]:
    results = json.loads((paths().dbt_target / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[-1]: r["adapter_response"].get("rows_affected", -1)
        for r in results["results"]
        if r["unique_id"].startswith("model.")
    }


def _state(url: str) -> dict[str, str]:
    state = schema_checksums(url, "marts")
    for name, checksum in schema_checksums(url, "intermediate").items():
        if name in INCREMENTAL and name != "int_person_members":  # that one keeps a history
            state[name] = checksum
    return state


@pytest.fixture
def lookback_zero(monkeypatch):
    """Rebuild only what was loaded after the previous build (no margin), so the test sees the
    incremental path, not a window that happens to cover everything."""
    monkeypatch.setenv("REVGEN_LOOKBACK_HOURS", "0")


def test_an_incremental_build_equals_a_full_refresh(
    empty_warehouse, company, tmp_path, lookback_zero
):
    url = empty_warehouse
    folder, truth = company
    load_company(url, folder)
    run_dbt(url, ["build"], as_of=AS_OF)
    total_touchpoints = truth["rows"]["marketing.touchpoints"]
    assert rows(url, "select count(*) from intermediate.int_touchpoints_resolved")[0][0] == (
        total_touchpoints
    )
    before = _state(url)

    day_two = tmp_path / "day2"
    changes = _day_two(folder, day_two)
    load_company(url, day_two)
    run_dbt(url, ["build"], as_of=AS_OF)
    written = _rows_written()
    incremental = _state(url)

    # the incremental path was taken: only the changed touchpoints (and the touchpoints of the
    # merged and deleted contacts) were rewritten, not all of them
    assert changes["touchpoints"] <= written["int_touchpoints_resolved"] < total_touchpoints / 10
    transitions = rows(url, "select count(*) from marts.fct_stage_transitions")[0][0]
    rebuilt = rows(
        url,
        "select count(distinct person_id) from intermediate.int_stage_events_unioned "
        "where person_id in ('C9999999')",
    )[0][0]
    assert rebuilt == 1  # the newcomer is in
    assert 0 < written["fct_stage_transitions"] < transitions / 10
    # and the day's changes reached the marts
    assert incremental != before
    assert (
        rows(
            url,
            "select count(*) from marts.fct_stage_transitions where person_id = %s",
            (_merged_id(day_two),),
        )[0][0]
        == 0
    )

    run_dbt(url, ["build", "--full-refresh"], as_of=AS_OF)
    full = _state(url)
    different = sorted(name for name in full if full[name] != incremental.get(name))
    assert not different, f"incremental and full-refresh builds differ in {different}"


def _merged_id(day_two: Path) -> str:
    merged = next(
        c for c in read_csv(day_two / "marketing" / "contacts-day2.csv") if c["merged_into_id"]
    )
    return merged["contact_id"]


def test_a_changed_policy_makes_the_incremental_models_recompute_everything(
    empty_warehouse, company, tmp_path, monkeypatch, lookback_zero
):
    url = empty_warehouse
    folder, _ = company
    load_company(url, folder)
    run_dbt(url, ["run", "--select", "+fct_stage_transitions"], as_of=AS_OF)
    transitions = rows(url, "select count(*) from marts.fct_stage_transitions")[0][0]

    policy = (paths().dbt_project / "policy.yml").read_text()
    changed = tmp_path / "policy.yml"
    changed.write_text(policy.replace("stale_days:", "stale_days: 1 #", 1))
    assert changed.read_text() != policy
    monkeypatch.setenv("REVGEN_POLICY", str(changed))
    run_dbt(url, ["run", "--select", "+fct_stage_transitions"], as_of=AS_OF)
    # nothing was loaded, but the policy changed: every person's transitions were rewritten
    assert _rows_written()["fct_stage_transitions"] == transitions
