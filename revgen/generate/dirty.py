"""Dirty rows: a few rows the loader must reject, each with a known reason, written after the
clean ones (they count in the truth's expected rejects, not in its rows)."""

from __future__ import annotations

from revgen.generate.state import Company, iso

FUTURE = "2099-01-01T00:00:00Z"  # after any wall clock this code will meet


def dirty_rows(c: Company) -> None:
    base = {
        "first_name": "Dirty",
        "last_name": "Row",
        "company_size": "100",
        "created_at": iso(c.start),
        "updated_at": iso(c.start),
    }
    cases = [
        (
            "marketing.contacts",
            {**base, "contact_id": "X0000001", "email": "not-an-email"},
            "email",
            "invalid_email",
        ),
        (
            "marketing.contacts",
            {**base, "contact_id": "", "email": "nobody@x.example"},
            "contact_id",
            "missing_required",
        ),
        (
            "marketing.contacts",
            {**base, "contact_id": "C0000001", "email": "dup@x.example"},
            "contact_id",
            "duplicate_key",
        ),
        (
            "marketing.contacts",
            {
                **base,
                "contact_id": "X0000002",
                "email": "f@x.example",
                "created_at": FUTURE,
                "updated_at": FUTURE,
            },
            "created_at",
            "future_timestamp",
        ),
        (
            "marketing.contacts",
            {
                **base,
                "contact_id": "X0000003",
                "email": "n@x.example",
                "company_size": "twelve",
            },
            "company_size",
            "invalid_int",
        ),
        (
            "crm.leads",
            {
                "lead_id": "X0000004",
                "status": "new",
                "owner_id": "U99999",
                "created_at": iso(c.start),
                "updated_at": iso(c.start),
            },
            "owner_id",
            "unknown_reference",
        ),
        (
            "marketing.campaign_spend",
            {
                "campaign_id": "CMP001",
                "spend_date": "2025-12-31",
                "amount": "12,5O",
                "currency": "USD",
            },
            "amount",
            "invalid_numeric",
        ),
    ]
    for key, row, column, reason in cases:
        line = c.w.write(key, row)
        source, stream = key.split(".")
        c.truth.rejects.append(
            {
                "source": source,
                "stream": stream,
                "file": f"{stream}.csv",
                "line": line,
                "field": column,
                "reason": reason,
            }
        )
