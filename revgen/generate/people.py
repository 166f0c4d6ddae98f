"""The company's people: its CRM users (SDRs, AEs, account managers, marketers) and each simulated
person's marketing contact record, with the odd merged duplicate or deleted record."""

from __future__ import annotations

from datetime import datetime, timedelta

from revgen.generate.catalog import (
    COMPANY_WORDS,
    FIRST,
    LAST,
    OTHER_COUNTRIES,
    OTHER_INDUSTRIES,
    TITLES,
)
from revgen.generate.state import Company, Person, User, iso


def make_users(c: Company) -> dict[str, list[User]]:
    """The CRM users by role; some sales users are deactivated in the second half of the period."""
    rng = c.rng
    users: dict[str, list[User]] = {"sdr": [], "ae": [], "am": [], "marketing": []}
    counts = {
        "sdr": max(3, c.people // 250),
        "ae": max(2, c.people // 400),
        "am": max(1, c.people // 1500),
        "marketing": 2,
    }
    targets = {"sdr": None, "ae": 1_200_000.0, "am": 800_000.0, "marketing": None}
    number = 0
    for role, count in counts.items():
        for _ in range(count):
            number += 1
            team = "marketing" if role == "marketing" else "sales"
            user = User(
                f"U{number:05d}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                role,
                team,
                targets[role],
            )
            if role != "marketing" and rng.random() < 0.12:
                user.deactivated_at = c.moment(
                    rng,
                    c.start + timedelta(days=c.days // 2),
                    c.as_of - timedelta(days=1),
                )
            users[role].append(user)
            c.emit(
                "crm.users",
                {
                    "user_id": user.user_id,
                    "name": user.name,
                    "email": f"{user.user_id.lower()}@revgen-demo.example",
                    "role": role,
                    "team": team,
                    "is_active": "false" if user.deactivated_at else "true",
                    "deactivated_at": iso(user.deactivated_at) if user.deactivated_at else None,
                    "annual_revenue_target": f"{user.target_usd:.2f}" if user.target_usd else None,
                },
            )
    return users


def become_known(c: Company, p: Person) -> tuple[dict, datetime]:
    """The person enters the database: their contact record (written later, by `write_contact`,
    once marketing and sales are done with it) and when it was created."""
    rng = p.rng
    contact_id = p.journey.person_id
    created = p.moment(c.start, c.as_of - timedelta(hours=1))
    fit_roll = rng.random() < 0.6
    contact = {
        "contact_id": contact_id,
        "email": f"{contact_id.lower()}@{rng.choice(COMPANY_WORDS)}.example",
        "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST),
        "job_title": rng.choice(TITLES),
        "company": f"Company {rng.randint(1, max(10, c.people // 20))}",
        "industry": rng.choice(c.policy.icp.industries if fit_roll else OTHER_INDUSTRIES),
        "country": rng.choice(c.policy.icp.countries if fit_roll else OTHER_COUNTRIES),
        "company_size": str(rng.choice([60, 200, 800, 5000] if fit_roll else [5, 20, 300])),
        "nurture_program_id": None,
        "created_at": iso(created),
        "updated_at": iso(created),
    }
    p.duplicate = f"D{p.tag}" if rng.random() < 0.02 else None
    p.journey.enter("database", created, "known")
    p.lifecycle("subscriber", created)
    return contact, created


def write_contact(c: Company, p: Person, contact: dict) -> None:
    """The contact record, its merged duplicate if any, and sometimes a deleted record."""
    c.emit("marketing.contacts", contact)
    if p.duplicate:  # the same person entered twice, merged in the marketing tool
        c.emit(
            "marketing.contacts",
            {
                **contact,
                "contact_id": p.duplicate,
                "email": contact["email"].upper(),
                "nurture_program_id": None,
                "merged_into_id": contact["contact_id"],
            },
        )
    if p.rng.random() < 0.005:  # a record deleted in the marketing tool: nobody
        c.emit(
            "marketing.contacts",
            {
                **contact,
                "contact_id": f"Z{p.tag}",
                "email": f"z{p.tag}@deleted.example",
                "nurture_program_id": None,
                "is_deleted": "true",
            },
        )
