"""Sales: the CRM lead from MQL on (hand-over, acceptance, recycle, disqualification), its
opportunity through the sub-stages to won or lost, the customer's orders, expansions and churn,
and the time sales wastes on people marketing never qualified."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from revgen.generate.catalog import OPEN_OPP_STAGES, PRODUCTS
from revgen.generate.ownership import judge, judge_nurture
from revgen.generate.state import Company, Person, User, iso


def pick(c: Company, rng: random.Random, role: str) -> User:
    return rng.choice(c.users[role])


# -- CRM writes --------------------------------------------------------------------------------
def activity(
    c: Company,
    p: Person,
    owner: User,
    at: datetime,
    lead_id: str | None = None,
    opp_id: str | None = None,
    kind: str = "call",
    wasted: bool = False,
) -> None:
    minutes = p.rng.choice([5, 15, 30, 45, 60])
    c.emit(
        "crm.activities",
        {
            "activity_id": p.next_id("A"),
            "activity_type": kind,
            "owner_id": owner.user_id,
            "lead_id": lead_id,
            "opportunity_id": opp_id,
            "started_at": iso(at),
            "duration_minutes": str(minutes),
        },
    )
    if lead_id is not None:
        p.journey.lead_touches.append(at)
    if wasted:
        c.truth.add_waste(
            owner.user_id,
            minutes,
            c.policy.wasted_time.hourly_value_of(owner.target_usd),
            p.journey.source_channel,
        )


def lead_change(
    c: Company, p: Person, lead: dict, field: str, new: str | None, at: datetime
) -> None:
    old = lead[field]
    c.emit(
        "crm.lead_history",
        {
            "history_id": p.next_id("H"),
            "lead_id": lead["lead_id"],
            "field": field,
            "old_value": old,
            "new_value": new,
            "changed_at": iso(at),
        },
    )
    lead[field] = new
    lead["updated_at"] = iso(at)


def emit_opportunity(c: Company, row: dict) -> None:
    c.emit("crm.opportunities", row)
    c.truth.add_opportunity(
        row["opportunity_type"],
        row["stage"],
        float(row["amount"]),
        datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")),
        datetime.fromisoformat(row["closed_at"].replace("Z", "+00:00"))
        if row["closed_at"]
        else None,
    )


def sdr_work(
    c: Company, p: Person, sdr: User, lead: dict, start: datetime, end: datetime, wasted: bool
) -> None:
    for _ in range(p.rng.randint(1, 3)):
        activity(c, p, sdr, p.moment(start, end), lead_id=lead["lead_id"], wasted=wasted)


# -- the lead ----------------------------------------------------------------------------------
def open_lead(
    c: Company,
    p: Person,
    contact_id: str | None,
    email: str,
    lead_source: str,
    status: str,
    owner: User,
    at: datetime,
) -> dict:
    """The person's CRM lead, opened at `at` with a status and an owner (both in its history)."""
    lead = {
        "lead_id": f"L{p.tag}",
        "contact_id": contact_id,
        "email": email,
        "status": None,
        "lead_source": lead_source,
        "owner_id": None,
        "created_at": iso(at),
        "updated_at": iso(at),
    }
    lead_change(c, p, lead, "status", status, at)
    lead_change(c, p, lead, "owner_id", owner.user_id, at)
    return lead


def unripe_lead(c: Company, p: Person, contact: dict, created: datetime) -> None:
    """Sales works a person marketing never qualified: every minute of it is wasted."""
    sdr = pick(c, p.rng, "sdr")
    opened = p.moment(created, c.as_of - timedelta(hours=2))
    lead = open_lead(c, p, contact["contact_id"], contact["email"], "sales", "working", sdr, opened)
    sdr_work(c, p, sdr, lead, opened, c.as_of - timedelta(minutes=1), wasted=True)
    c.emit("crm.leads", lead)


def sales_journey(c: Company, p: Person, contact: dict, mql_at: datetime) -> None:
    """From MQL on: hand-over, acceptance, and the lead's fate (recycle loops at most twice)."""
    rng = p.rng
    sdr = pick(c, rng, "sdr")
    # how the CRM lead names its person: the contact id, the merged duplicate's id, or only
    # an email written differently (identity resolution must find the person every time)
    link = rng.random()
    named = p.duplicate if (link < 0.5 and p.duplicate) else contact["contact_id"]
    contact_id = None if link < 0.08 else named
    email = contact["email"].upper() if link < 0.08 else contact["email"]
    lead = open_lead(c, p, contact_id, email, "marketing", "new", sdr, mql_at)
    p.journey.enter("lead", mql_at, "mql_score")
    p.journey.first_mql_at = mql_at
    p.lifecycle("marketingqualifiedlead", mql_at)
    handed_at: datetime = mql_at
    accepted_at: datetime | None = None
    last_touch: datetime | None = None
    owner: User | None = sdr
    for cycle in range(3):
        delay = timedelta(hours=rng.choice([0.5, 2, 6, 20, 40, 70]))
        if not p.before_as_of(handed_at + delay):
            accepted_at = None
            p.journey.handovers.append((handed_at, None))
            break
        accepted_at = handed_at + delay
        p.journey.handovers.append((handed_at, accepted_at))
        lead_change(c, p, lead, "status", "working", accepted_at)
        p.lifecycle("salesqualifiedlead", accepted_at)
        fate = rng.random()
        room = c.as_of - accepted_at
        if fate < 0.14 and room > timedelta(days=12) and cycle < 2:
            end = accepted_at + timedelta(days=rng.randint(1, 10))
            sdr_work(c, p, sdr, lead, accepted_at, end, wasted=True)
            lead_change(c, p, lead, "status", "recycled", end)
            p.journey.enter("prospect", end, "recycled")
            p.lifecycle("lead", end)
            contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-1"
            back = end + timedelta(days=rng.randint(5, 25))
            if rng.random() < 0.4 and p.before_as_of(back):
                lead_change(c, p, lead, "status", "new", back)  # re-qualified: back to sales
                p.journey.enter("lead", back, "requalified")
                p.lifecycle("marketingqualifiedlead", back)
                handed_at = back
                continue
            c.emit("crm.leads", lead)
            judge_nurture(c, p, contact)
            return
        if fate < 0.22 and room > timedelta(days=12):
            end = accepted_at + timedelta(days=rng.randint(1, 10))
            sdr_work(c, p, sdr, lead, accepted_at, end, wasted=True)
            lead_change(c, p, lead, "status", "disqualified", end)
            p.journey.enter("database", end, "disqualified")
            c.emit("crm.leads", lead)
            return
        if fate < 0.57 and room > timedelta(days=4):
            sdr_work(c, p, sdr, lead, accepted_at, accepted_at + timedelta(days=1), wasted=False)
            opportunity(c, p, lead, contact, accepted_at)
            c.emit("crm.leads", lead)
            return
        activity(c, p, sdr, accepted_at, lead_id=lead["lead_id"])
        last_touch = accepted_at
        if rng.random() < 0.93:  # still working it: the owner keeps in touch
            follow_up = p.moment(
                max(accepted_at, c.as_of - timedelta(days=20)),
                c.as_of - timedelta(minutes=1),
            )
            activity(c, p, sdr, follow_up, lead_id=lead["lead_id"], kind="email")
            last_touch = follow_up
        break
    roll = rng.random()
    if roll < 0.02:
        lead_change(c, p, lead, "owner_id", None, c.as_of - timedelta(hours=3))  # to nobody
        owner = None
    elif roll < 0.04:
        owner = pick(c, rng, "marketing")  # handed to sales, owned by marketing
        lead_change(c, p, lead, "owner_id", owner.user_id, c.as_of - timedelta(hours=3))
    c.emit("crm.leads", lead)
    judge(c, p, "sales", owner, last_touch, handed_at, accepted_at)


# -- the opportunity and the customer ----------------------------------------------------------
def opportunity(c: Company, p: Person, lead: dict, contact: dict, accepted_at: datetime) -> None:
    rng = p.rng
    ae = pick(c, rng, "ae")
    created = accepted_at + timedelta(days=rng.randint(1, 3))
    account_id, opp_id = f"ACC{p.tag}", f"O{p.tag}"
    am = pick(c, rng, "am")
    c.emit(
        "crm.accounts",
        {
            "account_id": account_id,
            "name": contact["company"],
            "industry": contact["industry"],
            "country": contact["country"],
            "company_size": contact["company_size"],
            "owner_id": am.user_id,
            "created_at": iso(created),
        },
    )
    c.emit(
        "crm.contacts",
        {
            "contact_id": f"CC{p.tag}",
            "account_id": account_id,
            "lead_id": lead["lead_id"],
            "email": contact["email"],
            "first_name": contact["first_name"],
            "last_name": contact["last_name"],
            "created_at": iso(created),
        },
    )
    lead_change(c, p, lead, "status", "converted", created)
    p.journey.enter("opportunity", created, "converted")
    p.lifecycle("opportunity", created)
    amount = f"{rng.choice([8, 15, 30, 60]) * 1000}.00"
    opp = {
        "opportunity_id": opp_id,
        "account_id": account_id,
        "lead_id": lead["lead_id"],
        "name": f"{contact['company']} platform",
        "opportunity_type": "new_business",
        "stage": None,
        "amount": amount,
        "currency": "USD",
        "has_budget": "true",
        "owner_id": ae.user_id,
        "created_at": iso(created),
        "closed_at": None,
    }
    moment = created
    path = list(OPEN_OPP_STAGES)
    if rng.random() < 0.2:
        path += OPEN_OPP_STAGES[1:]  # back to proposal (new stakeholders), then on
    outcome = rng.random()
    closing = "won" if outcome < 0.3 else "lost" if outcome < 0.5 else None
    if closing:
        path.append(closing)
    activity(c, p, ae, created, opp_id=opp_id, kind="meeting")
    last_touch = created
    for stage in path:
        if not p.before_as_of(moment):
            break
        opp["stage"] = stage
        c.emit(
            "crm.opportunity_history",
            {
                "history_id": p.next_id("OH"),
                "opportunity_id": opp_id,
                "stage": stage,
                "amount": amount,
                "changed_at": iso(moment),
            },
        )
        if stage in ("won", "lost"):
            opp["closed_at"] = iso(moment)
        last = moment
        moment = moment + timedelta(days=rng.randint(1, 6))
    if opp["stage"] == "won":
        c.truth.attribute(p.touches, p.first_mql_at, created, float(amount))
        p.journey.enter("customer", last, "won")
        p.lifecycle("customer", last)
        emit_opportunity(c, opp)
        customer(c, p, account_id, opp_id, amount, last, am)
        return
    if opp["stage"] == "lost":
        p.journey.enter("prospect", last, "lost")
        p.lifecycle("lead", last)
        contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-2"
        emit_opportunity(c, opp)
        judge_nurture(c, p, contact)
        return
    if rng.random() < 0.9:
        follow_up = p.moment(
            max(created, c.as_of - timedelta(days=20)), c.as_of - timedelta(minutes=1)
        )
        activity(c, p, ae, follow_up, opp_id=opp_id)
        last_touch = follow_up
    emit_opportunity(c, opp)
    judge(c, p, "sales", ae, last_touch, None, None)


def customer(
    c: Company, p: Person, account_id: str, opp_id: str, amount: str, won: datetime, am: User
) -> None:
    rng = p.rng
    order = {
        "order_id": p.next_id("ORD"),
        "account_id": account_id,
        "opportunity_id": opp_id,
        "order_type": "new_business",
        "product": PRODUCTS["new_business"],
        "amount": amount,
        "currency": "USD",
        "started_on": won.date().isoformat(),
        "ended_on": None,
    }
    churn_on = won + timedelta(days=rng.randint(20, 60))
    if rng.random() < 0.08 and p.before_as_of(churn_on):
        order["ended_on"] = churn_on.date().isoformat()
    c.emit("crm.orders", order)
    expansions_won: Counter = Counter()
    for kind, chance in (("upsell", 0.25), ("cross_sell", 0.10)):
        opened = won + timedelta(days=rng.randint(10, 40))
        if order["ended_on"] or rng.random() >= chance or not p.before_as_of(opened):
            continue
        expansion_usd = rng.choice([2, 5, 10]) * 1000
        expansion: dict[str, str | None] = {
            "opportunity_id": p.next_id("OX"),
            "account_id": account_id,
            "lead_id": None,
            "name": f"{kind.replace('_', ' ')} {account_id}",
            "opportunity_type": kind,
            "stage": "proposal",
            "amount": f"{expansion_usd}.00",
            "currency": "USD",
            "has_budget": "true",
            "owner_id": am.user_id,
            "created_at": iso(opened),
            "closed_at": None,
        }
        closed = opened + timedelta(days=rng.randint(3, 20))
        if p.before_as_of(closed):
            expansion["stage"] = "won" if rng.random() < 0.6 else "lost"
            expansion["closed_at"] = iso(closed)
        emit_opportunity(c, expansion)
        if expansion["stage"] == "won":
            expansions_won[kind] += float(expansion_usd)
            c.emit(
                "crm.orders",
                {
                    "order_id": p.next_id("ORD"),
                    "account_id": account_id,
                    "opportunity_id": expansion["opportunity_id"],
                    "order_type": kind,
                    "product": PRODUCTS[kind],
                    "amount": expansion["amount"],
                    "currency": "USD",
                    "started_on": closed.date().isoformat(),
                    "ended_on": None,
                },
            )
    c.truth.add_account(won, float(amount), order["ended_on"] is not None, expansions_won)
    judge(c, p, "sales", am, None, None, None, check_stale=False)
