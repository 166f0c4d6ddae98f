"""A next day's changed files for a generated company: what the incremental build is timed on."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from revgen.contract import Stream
from revgen.generate.files import read_csv, write_csv


def write_next_day(
    company: Path, out: Path, as_of: str, share: int = 100, day: int = 1
) -> dict[str, int]:
    """A day of changes: every `share`-th surviving contact is touched again (a new touchpoint, a
    new score, an activity on its lead) and as many new people arrive, each with a touchpoint.
    Each `day` (1, 2, ...) changes other contacts and brings other new people (keys `N` * day +
    the contact's), so the days' files hold no common record."""
    when = (datetime.fromisoformat(as_of.replace("Z", "+00:00")) - timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )

    def first_row(path: Path) -> dict:
        with open(path, newline="") as handle:
            return next(csv.DictReader(handle))

    changed, new = [], []
    with open(company / "marketing" / "contacts.csv", newline="") as handle:
        for number, contact in enumerate(csv.DictReader(handle)):
            if contact["merged_into_id"] or contact["is_deleted"] == "true":
                continue
            if number % share == 2 * (day - 1):
                changed.append({**contact, "updated_at": when})
            elif number % share == 2 * (day - 1) + 1:
                new.append(
                    {
                        **contact,
                        "contact_id": "N" * day + contact["contact_id"],
                        "email": "new." + contact["email"],
                        "created_at": when,
                        "updated_at": when,
                    }
                )
    touch = first_row(company / "marketing" / "touchpoints.csv")
    score = first_row(company / "marketing" / "lead_scores.csv")
    activity = first_row(company / "crm" / "activities.csv")
    people = {c["contact_id"] for c in changed}
    leads = [
        lead for lead in read_csv(company / "crm" / "leads.csv") if lead["contact_id"] in people
    ]
    records = {
        "marketing/contacts-next-day.csv": changed + new,
        "marketing/touchpoints-next-day.csv": [
            {
                **touch,
                "touchpoint_id": "TN" + c["contact_id"],
                "contact_id": c["contact_id"],
                "visitor_id": "",
                "touched_at": when,
            }
            for c in changed + new
        ],
        "marketing/lead_scores-next-day.csv": [
            {
                **score,
                "score_id": "SN" + c["contact_id"],
                "contact_id": c["contact_id"],
                "score": "10",
                "scored_at": when,
            }
            for c in changed
        ],
        "crm/activities-next-day.csv": [
            {
                **activity,
                "activity_id": "AN" + lead["lead_id"],
                "lead_id": lead["lead_id"],
                "opportunity_id": "",
                "owner_id": lead["owner_id"],
                "started_at": when,
            }
            for lead in leads
        ],
    }
    for name, rows_ in records.items():
        if rows_:
            write_csv(out / name, rows_)
    return {"changed_people": len(changed), "new_people": len(new), "activities": len(leads)}


def write_full_export(path: Path, out: Path, stream: Stream, as_of: str, share: int = 100) -> int:
    """Tomorrow's full export of one stream's file: every row again, every `share`-th one changed
    (its last timestamp set to two hours before `as_of`) and as many new (a copy of the next row
    under a new key, `N` + its key). Streamed row by row; returns the rows written."""
    when = (datetime.fromisoformat(as_of.replace("Z", "+00:00")) - timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    changed_column = [c.name for c in stream.columns if c.type == "timestamp"][-1]
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(path, newline="") as source, open(out, "w", newline="") as target:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        new = []
        for number, row in enumerate(reader):
            if number % share == 0:
                row = {**row, changed_column: when}
            elif number % share == 1:
                new.append({**row, **{key: "N" + row[key] for key in stream.primary_key}})
            writer.writerow(row)
            written += 1
        writer.writerows(new)
    return written + len(new)
