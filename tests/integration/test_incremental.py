"""Incremental dbt builds give the same tables as a full refresh - every mart and every
intermediate table - after a day of changes that touch identity (a merge, a deletion, a lead
matched to someone else, a touchpoint or an activity given to someone else), late rows and new
people; after a day where only an owner changed (a user deactivated: the people they own change
though none of their records did); and after full exports that no longer hold some records."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import revgen.dbt
from revgen.config import Paths, paths
from revgen.dbt import run_dbt
from revgen.generate.files import read_csv, write_csv
from tests.helpers import load_and_build, load_company, rows, schema_checksums

AS_OF = "2026-04-01T00:00:00Z"
CALLED_AT = "2026-03-31T11:00:00Z"
# intermediate tables a full refresh cannot reproduce: histories stamped with their build's time,
# and the people and records an incremental build picked (none in a full refresh)
NOT_COMPARED = (
    "int_person_members",
    "int_owner_versions",
    "int_changed_people",
    "int_rebuilt_members",
    "int_touchpoints_replaced",
    "int_activities_replaced",
)


TOTALS = "intermediate.int_campaign_reach__totals"
# every totals table an incremental build keeps by deltas (the models whose config declares them)
KEPT_TOTALS = {
    "int_campaign_reach__totals",
    "int_people_staged__totals",
    "int_stage_events_unioned__totals",
    "int_stage_first_reaches__totals",
    "int_stage_journeys__totals",
}
# what the totals count (dbt_project/macros/attribution.sql, campaign_reach_totals), from every row
REACH_RECOUNT = """
    select campaign_id,
        sum(case when person_id is not null then 1 else 0 end),
        sum(case when person_id is not null then is_engaged else 0 end),
        sum(case when person_id is null and visitor_id is not null then 1 else 0 end),
        sum(case when person_id is null then touches else 0 end)
    from intermediate.int_campaign_reach
    where campaign_id is not null
    group by campaign_id
    order by campaign_id
"""


def _totals_tables(url: str) -> dict[str, int]:
    """The totals tables kept beside the intermediate tables (macros/totals.sql) -> their oid."""
    return dict(
        rows(
            url,
            "select relname, oid::bigint from pg_class where relkind = 'r' "
            "and relnamespace = 'intermediate'::regnamespace and relname like '%%\\_\\_totals'",
        )
    )


def _chain(company: Path, out: Path) -> dict:
    """A first day's extra contact at the end of a chain of two merges (it was merged into a
    contact that was merged into a surviving one): the chain's survivor, which a second day
    deletes, and the contact at its end."""
    contacts = read_csv(company / "marketing" / "contacts.csv")
    by_id = {c["contact_id"]: c for c in contacts}
    merged = next(
        c
        for c in contacts
        if c["merged_into_id"]
        and not by_id[c["merged_into_id"]]["merged_into_id"]
        and by_id[c["merged_into_id"]]["is_deleted"] != "true"
    )
    chained = {
        **merged,
        "contact_id": "C9999997",
        "merged_into_id": merged["contact_id"],
        "email": "chained@example.org",
    }
    write_csv(out / "marketing" / "contacts-chain.csv", [chained])
    return {"root": merged["merged_into_id"], "chained": chained["contact_id"]}


def _day_two(company: Path, out: Path, chain: dict | None = None) -> dict:
    """Files of a second day: changed and new records, upserted over the first day's; with a
    `chain` (_chain), its survivor deleted."""
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
    # a person's first touch handed to another contact, and an anonymous touch to another visitor:
    # whom each left is rebuilt too
    with_touches = {t["contact_id"] for t in touchpoints}
    handed = next(c for c in roots[9:] if c["contact_id"] in with_touches)
    receiver = next(c for c in roots[9:] if c is not handed)
    first_touch = min(
        (t for t in touchpoints if t["contact_id"] == handed["contact_id"]),
        key=lambda t: t["touched_at"],
    )
    anonymous = next(t for t in touchpoints if not t["contact_id"] and t["visitor_id"])
    new_touches += [
        {**first_touch, "contact_id": receiver["contact_id"]},
        {**anonymous, "visitor_id": "V9999999"},
    ]
    rematched = next(lead for lead in leads if lead["contact_id"] and lead["status"] == "working")
    # matched to someone else and handed to another rep (a change the lead snapshot records)
    owners = [lead["owner_id"] for lead in leads]
    new_owner = next(o for o in owners if o not in ("", rematched["owner_id"]))
    rematched = {
        **rematched,
        "contact_id": roots[7]["contact_id"],
        "owner_id": new_owner,
        "updated_at": AS_OF,
    }
    recycled = next(lead for lead in leads if lead["status"] == "working" and lead is not rematched)
    history = {
        "history_id": "H9999999-01",
        "lead_id": recycled["lead_id"],
        "field": "status",
        "old_value": "working",
        "new_value": "recycled",
        "changed_at": "2026-03-31T12:00:00Z",
    }
    # a call on a worked lead, its person's only one, of a person nothing else changed for: only
    # the owner's last touch changes
    per_contact = Counter(lead["contact_id"] for lead in leads)
    busy = {c["contact_id"] for c in [merged, survivor, deleted, handed, receiver, *roots[:8]]} | {
        lead["contact_id"]
        for lead in leads
        if lead["lead_id"] in (rematched["lead_id"], recycled["lead_id"])
    }
    touched = next(
        lead
        for lead in leads
        if lead["status"] == "working"
        and lead["contact_id"]
        and lead["contact_id"] not in busy
        and per_contact[lead["contact_id"]] == 1
    )
    call = {
        **activities[0],
        "activity_id": "A9999999-01",
        "owner_id": touched["owner_id"],
        "lead_id": touched["lead_id"],
        "opportunity_id": "",
        "contact_id": "",
        "started_at": CALLED_AT,
    }
    # identity by address: the contact an unlinked lead was matched to by its address takes another
    # address (the lead becomes a person of its own), and a new contact created long before takes
    # another unlinked lead's address (the lead is matched to it instead)
    taken = busy | {lead["contact_id"] for lead in leads} | ({chain["root"]} if chain else set())
    holders = Counter(c["email"].strip().lower() for c in contacts if c["email"])
    by_address = {
        c["email"].strip().lower(): c
        for c in roots
        if c["email"] and holders[c["email"].strip().lower()] == 1 and c["contact_id"] not in taken
    }
    unlinked = [
        lead
        for lead in leads
        if not lead["contact_id"] and lead["email"].strip().lower() in by_address
    ]
    moved_address, taken_address = unlinked[0], unlinked[1]
    readdressed = {
        **by_address[moved_address["email"].strip().lower()],
        "email": "moved." + moved_address["email"].strip().lower(),
        "updated_at": AS_OF,
    }
    earlier = {
        **roots[0],
        "contact_id": "C9999998",
        "email": taken_address["email"],
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2026-03-31T09:00:00Z",
    }
    day_two_contacts = [merged, deleted, newcomer, readdressed, earlier]
    if chain:
        root = next(c for c in contacts if c["contact_id"] == chain["root"])
        day_two_contacts.append({**root, "is_deleted": "true", "updated_at": AS_OF})
    write_csv(out / "marketing" / "contacts-day2.csv", day_two_contacts)
    write_csv(out / "marketing" / "touchpoints-day2.csv", new_touches)
    write_csv(out / "crm" / "leads-day2.csv", [rematched])
    write_csv(out / "crm" / "lead_history-day2.csv", [history])
    # a sales activity moved to another lead: the person it worked on before is rebuilt too
    lead_contact = {lead["lead_id"]: lead["contact_id"] for lead in leads}
    moved = next(
        a
        for a in activities
        if a["lead_id"]
        and not a["opportunity_id"]
        and a["lead_id"] != touched["lead_id"]
        and lead_contact.get(a["lead_id"]) not in busy
    )
    moved = {**moved, "lead_id": recycled["lead_id"]}
    write_csv(out / "crm" / "activities-day2.csv", [call, moved])
    return {
        "touchpoints": len(new_touches),
        "contacts": len(day_two_contacts),
        "called_lead": touched["lead_id"],
        "rematched_lead": rematched["lead_id"],
        "unmatched_lead": moved_address["lead_id"],
        "rematched_by_address": taken_address["lead_id"],
    }


def _last_results(kind: str) -> dict[str, dict]:
    """dbt's last results of one kind of node (model, snapshot), by name."""
    results = json.loads((paths().dbt_target / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[-1]: r for r in results if r["unique_id"].startswith(f"{kind}.")
    }


def _rows_written() -> dict[str, int]:
    return {
        name: r["adapter_response"].get("rows_affected", -1)
        for name, r in _last_results("model").items()
    }


def _snapshots(url: str) -> dict[str, set[tuple]]:
    """Each snapshot's history: every version of every record, and whether it is current."""
    return {
        name: set(rows(url, f"select {columns}, dbt_valid_to is null from snapshots.{name}"))
        for name, columns in (
            ("snap_crm__leads", "lead_id, status, owner_id"),
            ("snap_marketing__contact_programs", "contact_id, nurture_program_id"),
        )
    }


def _state(url: str) -> dict[str, str]:
    """Every mart and intermediate table -> a checksum of its rows."""
    state = schema_checksums(url, "marts")
    for name, checksum in schema_checksums(url, "intermediate").items():
        if name not in NOT_COMPARED:
            state[name] = checksum
    return state


def _first_day(url: str, company: Path, extra: Path) -> None:
    """The company and an `extra` folder's files loaded and built (everything computed: no
    build recorded yet). The company alone is the prepared `built_warehouse`."""
    load_company(url, company)
    load_and_build(url, extra, AS_OF)


def _person_of(url: str, kind: str, record_id: str) -> str | None:
    """The person a contact or lead record belongs to now (int_person_members' latest row)."""
    return rows(
        url,
        "select person_id from intermediate.int_person_members where member_key = %s "
        "order by changed_at desc limit 1",
        (f"{kind}:{record_id}",),
    )[0][0]


def _analyzed(url: str) -> dict[str, datetime | None]:
    """Each intermediate table -> when it was last analyzed by a statement (not by autovacuum)."""
    return dict(
        rows(
            url,
            "select relname, last_analyze from pg_stat_user_tables where schemaname = 'intermediate'",
        )
    )


def _differences(url: str, incremental: dict[str, str]) -> list[str]:
    """The tables a full refresh of the same data builds differently."""
    run_dbt(url, ["build", "--full-refresh"], as_of=AS_OF)
    full = _state(url)
    return sorted(name for name in full if full[name] != incremental.get(name))


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
    chain = _chain(folder, tmp_path / "day1")
    _first_day(url, folder, tmp_path / "day1")
    chained = _person_of(url, "contact", chain["chained"])
    assert chained == chain["root"]
    total_touchpoints = truth["rows"]["marketing.touchpoints"]
    assert rows(url, "select count(*) from intermediate.int_touchpoints_resolved")[0][0] == (
        total_touchpoints
    )
    before = _state(url)
    analyzed = _analyzed(url)
    kept_totals = _totals_tables(url)

    day_two = tmp_path / "day2"
    changes = _day_two(folder, day_two, chain)
    load_and_build(url, day_two, AS_OF)
    written = _rows_written()
    # identity recomputed for the records the day touched, through merges and addresses, and
    # only for them
    chained = _person_of(url, "contact", chain["chained"])
    unmatched = _person_of(url, "lead", changes["unmatched_lead"])
    rematched_by_address = _person_of(url, "lead", changes["rematched_by_address"])
    assert chained is None  # its chain's survivor was deleted
    assert unmatched == "lead:" + changes["unmatched_lead"]
    assert rematched_by_address == "C9999998"
    people = rows(url, "select count(*) from intermediate.int_people")[0][0]
    assert 0 < written["int_people"] < people / 10
    # statistics: a table rebuilt whole is analyzed before the next model plans on it; a large
    # incremental table that the night rewrote a few rows of keeps them (autovacuum's to refresh)
    reanalyzed = _analyzed(url)
    assert reanalyzed["int_opportunities_resolved"] > analyzed["int_opportunities_resolved"]
    assert reanalyzed["int_touchpoints_resolved"] == analyzed["int_touchpoints_resolved"]
    snapshot_code = {name: r["compiled_code"] for name, r in _last_results("snapshot").items()}
    incremental = _state(url)
    history = _snapshots(url)

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
    reach = rows(url, "select count(*) from intermediate.int_campaign_reach")[0][0]
    assert 0 < written["int_campaign_reach"] < reach / 10
    # the totals kept beside the tables followed the rows they deleted and inserted (the same
    # tables, not counted again; a full refresh gives the same, below), and the campaigns' equal a
    # count of every row of their table
    assert set(kept_totals) == KEPT_TOTALS and _totals_tables(url) == kept_totals
    assert rows(url, f"select * from {TOTALS} order by campaign_id") == rows(url, REACH_RECOUNT)
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

    # a call alone reaches its person: the owner's last touch is the call
    assert rows(
        url,
        "select last_owner_touch_at from marts.dim_people where lead_id = %s",
        (changes["called_lead"],),
    )[0][0] == datetime.fromisoformat(CALLED_AT.replace("Z", "+00:00"))

    different = _differences(url, incremental)
    assert not different, f"incremental and full-refresh builds differ in {different}"

    # the snapshots were given only the day's rows, and a full refresh, which gives them every
    # row, finds nothing they missed: the rematched lead's new owner is recorded once
    assert set(snapshot_code) == set(history)
    assert all("_loaded_at >= cast(" in code for code in snapshot_code.values()), snapshot_code
    owners = [v for v in history["snap_crm__leads"] if v[0] == changes["rematched_lead"]]
    assert len(owners) == 2 and len({v[2] for v in owners}) == 2, owners
    assert _snapshots(url) == history


def test_records_a_full_export_no_longer_holds_leave_the_incremental_build_as_a_full_refresh(
    built_warehouse, company, tmp_path, lookback_zero
):
    """A full export (mapping `full_export: true`) that lacks a record deletes it: a known
    person's touchpoint, an anonymous visitor's, a score and a sales activity gone the next day
    are gone from an incremental build too, and their people rebuilt without them."""
    url = built_warehouse  # the company loaded and built: its first day
    folder, _ = company
    day_two = tmp_path / "day2"
    gone: dict[str, set[str]] = {}
    for source, stream, key, owner in (
        ("marketing", "touchpoints", "touchpoint_id", "contact_id"),
        ("marketing", "lead_scores", "score_id", "contact_id"),
        ("crm", "activities", "activity_id", "lead_id"),
    ):
        records = read_csv(folder / source / f"{stream}.csv")
        dropped = [next(r for r in records if r[owner])]
        if stream == "touchpoints":
            dropped.append(next(r for r in records if not r["contact_id"] and r["visitor_id"]))
        gone[stream] = {r[key] for r in dropped}
        write_csv(
            day_two / source / f"{stream}.csv", [r for r in records if r[key] not in gone[stream]]
        )
    (day_two / "marketing" / "mapping.yml").write_text(
        "streams:\n  touchpoints: {full_export: true}\n  lead_scores: {full_export: true}\n"
    )
    (day_two / "crm" / "mapping.yml").write_text("streams:\n  activities: {full_export: true}\n")
    load_company(url, day_two)
    assert rows(
        url, "select count(*) from raw_marketing.touchpoints where _deleted_at is not null"
    ) == [(2,)]

    run_dbt(url, ["build"], as_of=AS_OF)
    written = _rows_written()
    assert written["int_touchpoints_resolved"] < 10  # the incremental path was taken
    assert rows(
        url,
        "select count(*) from intermediate.int_touchpoints_resolved where touchpoint_id = any(%s)",
        (sorted(gone["touchpoints"]),),
    ) == [(0,)]
    assert rows(
        url,
        "select count(*) from intermediate.int_activities_resolved where activity_id = any(%s)",
        (sorted(gone["activities"]),),
    ) == [(0,)]
    different = _differences(url, _state(url))
    assert not different, f"incremental and full-refresh builds differ in {different}"


def test_deactivated_owners_orphan_their_people_in_an_incremental_build(
    built_warehouse, company, tmp_path, lookback_zero
):
    url = built_warehouse  # the company loaded and built: its first day
    folder, _ = company
    # the active user and the active nurture program that own the most open people
    owners = {
        kind: rows(
            url,
            "select owner_id, count(*) from marts.dim_people "
            "where is_open and owner_type = %s and owner_is_active "
            "group by owner_id order by count(*) desc, owner_id limit 1",
            (kind,),
        )[0]
        for kind in ("user", "program")
    }
    orphans_before = rows(url, "select count(*) from marts.orphaned_leads")[0][0]
    before = _state(url)

    # a day where only the users and programs exports changed: the rep left, the program was
    # retired; none of their people's records changed
    user_id, program_id = owners["user"][0], owners["program"][0]
    user = next(u for u in read_csv(folder / "crm" / "users.csv") if u["user_id"] == user_id)
    program = next(
        p
        for p in read_csv(folder / "marketing" / "nurture_programs.csv")
        if p["program_id"] == program_id
    )
    day = tmp_path / "deactivated"
    write_csv(
        day / "crm" / "users-deactivated.csv",
        [{**user, "is_active": "false", "deactivated_at": "2026-03-31T08:00:00Z"}],
    )
    write_csv(
        day / "marketing" / "nurture_programs-deactivated.csv", [{**program, "is_active": "false"}]
    )
    load_and_build(url, day, AS_OF)
    incremental = _state(url)

    # every open person they owned is now an orphan, for the reason that the owner is inactive
    for owner_id, owned in owners.values():
        inactive = rows(
            url,
            "select count(*) from marts.orphaned_leads "
            "where owner_id = %s and reason = 'owner_inactive'",
            (owner_id,),
        )[0][0]
        assert inactive == owned > 0, owner_id
    assert rows(url, "select count(*) from marts.orphaned_leads")[0][0] > orphans_before
    assert incremental["orphaned_leads"] != before["orphaned_leads"]
    # and only their people were rebuilt, not everyone
    people = rows(url, "select count(*) from marts.dim_people")[0][0]
    assert 0 < _rows_written()["dim_people"] < people / 2

    different = _differences(url, incremental)
    assert not different, f"incremental and full-refresh builds differ in {different}"


def _merged_id(day_two: Path) -> str:
    merged = next(
        c for c in read_csv(day_two / "marketing" / "contacts-day2.csv") if c["merged_into_id"]
    )
    return merged["contact_id"]


def test_a_changed_policy_or_macro_makes_the_incremental_models_recompute_everything(
    built_warehouse, tmp_path, monkeypatch, lookback_zero
):
    url = built_warehouse  # the company loaded and built with the shipped policy and macros
    select = ["run", "--select", "+fct_stage_transitions"]
    transitions = rows(url, "select count(*) from marts.fct_stage_transitions")[0][0]

    policy = (paths().dbt_project / "policy.yml").read_text()
    changed = tmp_path / "policy.yml"
    changed.write_text(policy.replace("stale_days:", "stale_days: 1 #", 1))
    assert changed.read_text() != policy
    monkeypatch.setenv("REVGEN_POLICY", str(changed))
    run_dbt(url, select, as_of=AS_OF)
    # nothing was loaded, but the policy changed: every person's transitions were rewritten
    assert _rows_written()["fct_stage_transitions"] == transitions
    run_dbt(url, select, as_of=AS_OF)
    assert _rows_written()["fct_stage_transitions"] == 0  # nothing changed: nothing rewritten

    # an upgrade that changes a macro only (the models' own files unchanged): a copy of the
    # project where one macro differs, run as revgen runs its own
    root = tmp_path / "upgraded"
    shutil.copytree(
        paths().dbt_project, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs")
    )
    stages = root / "dbt_project" / "macros" / "stages.sql"
    stages.write_text(stages.read_text() + "\n{#- a newer revgen's macro -#}\n")
    upgraded = Paths(root=root, home=paths().home)
    monkeypatch.setattr(revgen.dbt, "paths", lambda: upgraded)
    run_dbt(url, select, as_of=AS_OF)
    assert _rows_written()["fct_stage_transitions"] == transitions


def test_a_new_email_key_makes_the_incremental_models_recompute_every_hash(
    built_warehouse, monkeypatch, lookback_zero
):
    from revgen.db import connect
    from revgen.load.schema import ensure_schema

    url = built_warehouse  # the company loaded and built: its first day
    monkeypatch.setenv("REVGEN_PII_KEY", "a-key-rotated-by-the-secrets-backend")
    with connect(url, autocommit=True) as conn:
        ensure_schema(conn)
    run_dbt(url, ["build"], as_of=AS_OF)
    # nothing was loaded, but every email is hashed with the new key
    stale = rows(
        url,
        "select count(*) from marts.dim_people as people "
        "inner join raw_marketing.contacts as contacts on people.person_id = contacts.contact_id "
        "where people.email_hash <> revgen_meta.pii_hash(contacts.email)",
    )[0][0]
    assert stale == 0
