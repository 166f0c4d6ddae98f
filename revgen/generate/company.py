"""A deterministic demo company: marketing-automation and CRM exports plus their ground truth.

Each person's journey is simulated with its own random stream (so one person never shifts
another): known, then a prospect on ICP fit + interest, an MQL on score, handed to an SDR who
accepts (or breaches the SLA), then recycled to marketing (and sometimes re-qualified),
disqualified, or converted to an opportunity that moves through sub-stages (sometimes backwards)
and is won or lost; customers buy, expand and sometimes churn. Sales also spends time on unripe
people. The generator keeps its own event log per person and writes `ground_truth.json` from it
(never from SQL). Rows are written as they are made, so memory stays bounded. Same seed, same bytes.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import sys
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tqdm import tqdm

from revgen.contract import STREAMS, Stream
from revgen.generate.catalog import (
    CHANNELS,
    COMPANY_WORDS,
    ENGAGEMENT_TYPES,
    FIRST,
    LAST,
    OTHER_COUNTRIES,
    OTHER_INDUSTRIES,
    PASSIVE_TYPES,
    PRODUCTS,
    TITLES,
    TOUCH_POINTS,
    UNMEASURABLE_CHANNEL,
)
from revgen.generate.truth import Journey, Touch, Truth
from revgen.policy import Policy, load_policy

log = logging.getLogger(__name__)

DEFAULT_START = date(2026, 1, 1)
FUTURE = "2099-01-01T00:00:00Z"  # after any wall clock this code will meet


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    user_id: str
    name: str
    role: str
    team: str
    target_usd: float | None
    deactivated_at: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.deactivated_at is None or moment < self.deactivated_at


class Writers:
    """One CSV writer per stream; counts lines so rejects can name them."""

    def __init__(self, out: Path, stack: ExitStack) -> None:
        self._writers: dict[str, tuple[Stream, object]] = {}
        self._lines: Counter = Counter()
        for stream in STREAMS:
            folder = out / stream.source
            folder.mkdir(parents=True, exist_ok=True)
            handle = stack.enter_context(open(folder / f"{stream.name}.csv", "w", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(stream.column_names)
            key = f"{stream.source}.{stream.name}"
            self._writers[key] = (stream, writer)
            self._lines[key] = 1

    def write(self, key: str, row: dict) -> int:
        """Write a row (missing columns empty); return its line number in the file."""
        stream, writer = self._writers[key]
        writer.writerow(["" if row.get(c) is None else row[c] for c in stream.column_names])
        self._lines[key] += 1
        return self._lines[key]


class Person:
    """One person's simulation: its random stream, ids, and the rows it writes."""

    def __init__(self, company: Company, index: int) -> None:
        self.c = company
        self.rng = random.Random(company.seed * 1_000_003 + index)
        self.tag = f"{index + 1:07d}"
        self.journey = Journey(f"C{self.tag}")
        self.counters: Counter = Counter()
        self.first_mql_at: datetime | None = None
        self.touches: list[Touch] = []
        self.duplicate: str | None = None  # id of a merged duplicate contact record

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.tag}-{self.counters[prefix]:02d}"

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        return self.c.moment(self.rng, earliest, latest)

    def before_as_of(self, moment: datetime) -> bool:
        return moment < self.c.as_of

    # -- CRM writes ----------------------------------------------------------------------------
    def activity(
        self,
        owner: User,
        at: datetime,
        lead_id=None,
        opp_id=None,
        kind="call",
        wasted: bool = False,
    ) -> None:
        minutes = self.rng.choice([5, 15, 30, 45, 60])
        self.c.emit(
            "crm.activities",
            {
                "activity_id": self.next_id("A"),
                "activity_type": kind,
                "owner_id": owner.user_id,
                "lead_id": lead_id,
                "opportunity_id": opp_id,
                "started_at": iso(at),
                "duration_minutes": str(minutes),
            },
        )
        if lead_id is not None:
            self.journey.lead_touches.append(at)
        if wasted:
            self.c.truth.add_waste(
                owner.user_id, minutes, self.c.hourly_usd(owner), self.journey.source_channel
            )

    def lead_change(self, lead: dict, field: str, new: str | None, at: datetime) -> None:
        old = lead[field]
        self.c.emit(
            "crm.lead_history",
            {
                "history_id": self.next_id("H"),
                "lead_id": lead["lead_id"],
                "field": field,
                "old_value": old,
                "new_value": new,
                "changed_at": iso(at),
            },
        )
        lead[field] = new
        lead["updated_at"] = iso(at)

    def lifecycle(self, stage: str, at: datetime) -> None:
        self.c.emit(
            "marketing.lifecycle_changes",
            {
                "change_id": self.next_id("LC"),
                "contact_id": self.journey.person_id,
                "lifecycle_stage": stage,
                "changed_at": iso(at),
            },
        )


class Company:
    def __init__(self, people: int, seed: int, days: int, start: date, policy: Policy) -> None:
        self.people = people
        self.seed = seed
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.as_of = self.start + timedelta(days=days)
        self.days = days
        self.policy = policy
        self.rng = random.Random(seed)
        self.truth = Truth(
            start=self.start, days=days, sla_hours=policy.stage("lead").sla_hours or 24
        )
        self.sla = timedelta(hours=policy.stage("lead").sla_hours or 24)
        # the demo company has activities: a policy without a stale limit judges nobody stale
        self.stale = timedelta(days=policy.stale_days) if policy.stale_days else timedelta.max
        self.threshold = policy.mql.score_threshold
        self.interest = set(policy.interest.touch_types)

    # -- helpers -------------------------------------------------------------------------------
    def moment(self, rng: random.Random, earliest: datetime, latest: datetime) -> datetime:
        span = max(0, int((latest - earliest).total_seconds()))
        return earliest + timedelta(seconds=rng.randint(0, span) // 60 * 60)

    def emit(self, key: str, row: dict) -> int:
        self.truth.rows[key] += 1
        return self.w.write(key, row)

    def emit_opportunity(self, row: dict) -> None:
        self.emit("crm.opportunities", row)
        self.truth.add_opportunity(
            row["opportunity_type"],
            row["stage"],
            float(row["amount"]),
            datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")),
            datetime.fromisoformat(row["closed_at"].replace("Z", "+00:00"))
            if row["closed_at"]
            else None,
        )

    def hourly_usd(self, user: User) -> float:
        wasted = self.policy.wasted_time
        target = user.target_usd or wasted.annual_revenue_target_usd
        return target / (wasted.working_days_per_year * wasted.hours_per_day)

    def fits_icp(self, contact: dict) -> bool:
        icp = self.policy.icp
        title = (contact["job_title"] or "").lower()
        return (
            contact["industry"] in icp.industries
            and contact["country"] in icp.countries
            and int(contact["company_size"]) >= icp.min_company_size
            and (
                not icp.job_title_keywords
                or any(k.lower() in title for k in icp.job_title_keywords)
            )
        )

    # -- fixed parts ---------------------------------------------------------------------------
    def make_users(self) -> None:
        rng = self.rng
        self.users: dict[str, list[User]] = {"sdr": [], "ae": [], "am": [], "marketing": []}
        counts = {
            "sdr": max(3, self.people // 250),
            "ae": max(2, self.people // 400),
            "am": max(1, self.people // 1500),
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
                    user.deactivated_at = self.moment(
                        rng,
                        self.start + timedelta(days=self.days // 2),
                        self.as_of - timedelta(days=1),
                    )
                self.users[role].append(user)
                self.emit(
                    "crm.users",
                    {
                        "user_id": user.user_id,
                        "name": user.name,
                        "email": f"{user.user_id.lower()}@revgen-demo.example",
                        "role": role,
                        "team": team,
                        "is_active": "false" if user.deactivated_at else "true",
                        "deactivated_at": iso(user.deactivated_at) if user.deactivated_at else None,
                        "annual_revenue_target": f"{user.target_usd:.2f}"
                        if user.target_usd
                        else None,
                    },
                )

    def make_programs(self) -> None:
        self.programs = {"NP-1": True, "NP-2": True, "NP-3": False}
        names = {"NP-1": "Monthly newsletter", "NP-2": "Product tips", "NP-3": "Legacy drip"}
        for program_id, active in self.programs.items():
            self.emit(
                "marketing.nurture_programs",
                {
                    "program_id": program_id,
                    "name": names[program_id],
                    "is_active": "true" if active else "false",
                },
            )

    def make_campaigns(self) -> None:
        rng = self.rng
        self.campaigns: dict[str, list[str]] = {}
        number = 0
        plan = [(channel, spec[0], 2) for channel, spec in CHANNELS.items()]
        plan.append((UNMEASURABLE_CHANNEL[0], UNMEASURABLE_CHANNEL[1], 1))
        scale = max(1.0, self.people / 1000)
        for channel, (low, high), count in plan:
            for k in range(count):
                number += 1
                campaign_id = f"CMP{number:03d}"
                self.campaigns.setdefault(channel, []).append(campaign_id)
                self.emit(
                    "marketing.campaigns",
                    {
                        "campaign_id": campaign_id,
                        "name": f"{channel.replace('_', ' ').title()} #{k + 1}",
                        "channel": channel,
                        "started_on": self.start.date().isoformat(),
                        "ended_on": (self.as_of - timedelta(days=1)).date().isoformat(),
                    },
                )
                for day in range(self.days):
                    amount = round(rng.uniform(low, high) * scale, 2)
                    self.truth.spend_by_campaign[campaign_id] += amount
                    self.emit(
                        "marketing.campaign_spend",
                        {
                            "campaign_id": campaign_id,
                            "spend_date": (self.start + timedelta(days=day)).date().isoformat(),
                            "amount": f"{amount:.2f}",
                            "currency": "USD",
                        },
                    )

    # -- one person ----------------------------------------------------------------------------
    def person(self, index: int) -> None:
        p = Person(self, index)
        rng = p.rng
        contact_id = p.journey.person_id
        created = p.moment(self.start, self.as_of - timedelta(hours=1))
        fit_roll = rng.random() < 0.6
        contact = {
            "contact_id": contact_id,
            "email": f"{contact_id.lower()}@{rng.choice(COMPANY_WORDS)}.example",
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "job_title": rng.choice(TITLES),
            "company": f"Company {rng.randint(1, max(10, self.people // 20))}",
            "industry": rng.choice(self.policy.icp.industries if fit_roll else OTHER_INDUSTRIES),
            "country": rng.choice(self.policy.icp.countries if fit_roll else OTHER_COUNTRIES),
            "company_size": str(rng.choice([60, 200, 800, 5000] if fit_roll else [5, 20, 300])),
            "nurture_program_id": None,
            "created_at": iso(created),
            "updated_at": iso(created),
        }
        fit = self.fits_icp(contact)
        p.duplicate = f"D{p.tag}" if rng.random() < 0.02 else None
        p.journey.enter("database", created, "known")
        p.lifecycle("subscriber", created)

        anonymous_campaigns: set[str] = set()
        for _ in range(rng.randint(3, 10)):  # anonymous awareness before they were known
            channel = rng.choice(list(CHANNELS))
            campaign_id = rng.choice(self.campaigns[channel])
            anonymous_campaigns.add(campaign_id)
            self.emit(
                "marketing.touchpoints",
                {
                    "touchpoint_id": p.next_id("T"),
                    "visitor_id": f"V{p.tag}",
                    "campaign_id": campaign_id,
                    "channel": channel,
                    "touch_type": rng.choice(["impression", "impression", PASSIVE_TYPES[channel]]),
                    "touched_at": iso(p.moment(self.start, created)),
                },
            )
        touches = sorted(
            p.moment(created, self.as_of - timedelta(minutes=1))
            for _ in range(min(12, int(rng.expovariate(1 / 3.5)) + 1))
        )
        score, prospect_at, mql_at = 0, None, None
        engaged_campaigns: set[str] = set()
        for touched in touches:
            channel = rng.choices(list(CHANNELS), weights=[c[1] for c in CHANNELS.values()])[0]
            p.journey.source_channel = p.journey.source_channel or channel
            engaged = rng.random() < CHANNELS[channel][2]
            touch_type = (
                rng.choice(ENGAGEMENT_TYPES[channel]) if engaged else PASSIVE_TYPES[channel]
            )
            touch = Touch(touched, p.next_id("T"), rng.choice(self.campaigns[channel]), channel)
            p.touches.append(touch)
            self.truth.measurable_campaigns.add(touch.campaign_id)
            self.emit(
                "marketing.touchpoints",
                {
                    "touchpoint_id": touch.touchpoint_id,
                    "contact_id": contact_id,
                    "campaign_id": touch.campaign_id,
                    "channel": channel,
                    "touch_type": touch_type,
                    "touched_at": iso(touched),
                },
            )
            score += TOUCH_POINTS[touch_type]
            self.emit(
                "marketing.lead_scores",
                {
                    "score_id": p.next_id("S"),
                    "contact_id": contact_id,
                    "score": str(score),
                    "scored_at": iso(touched),
                },
            )
            if touch_type in self.interest:
                engaged_campaigns.add(touch.campaign_id)
            if fit and prospect_at is None and touch_type in self.interest:
                prospect_at = touched
            if prospect_at is not None and mql_at is None and score >= self.threshold:
                mql_at = touched

        if prospect_at is not None:
            p.journey.enter("prospect", prospect_at, "icp_fit_and_interest")
            contact["nurture_program_id"] = rng.choices(
                ["NP-1", "NP-2", "NP-3", None], weights=[60, 36, 2, 2]
            )[0]
        if mql_at is not None:
            p.first_mql_at = mql_at
            self.sales_journey(p, contact, mql_at)
        else:
            if rng.random() < 0.08:
                self.unripe_lead(p, contact, created)
            if prospect_at is not None:
                self.judge_nurture(p, contact)
        self.emit("marketing.contacts", contact)
        if p.duplicate:  # the same person entered twice, merged in the marketing tool
            self.emit(
                "marketing.contacts",
                {
                    **contact,
                    "contact_id": p.duplicate,
                    "email": contact["email"].upper(),
                    "nurture_program_id": None,
                    "merged_into_id": contact_id,
                },
            )
        if rng.random() < 0.005:  # a record deleted in the marketing tool: nobody
            self.emit(
                "marketing.contacts",
                {
                    **contact,
                    "contact_id": f"Z{p.tag}",
                    "email": f"z{p.tag}@deleted.example",
                    "nurture_program_id": None,
                    "is_deleted": "true",
                },
            )
        self.truth.add_reach(
            anonymous_campaigns, {t.campaign_id for t in p.touches}, engaged_campaigns
        )
        self.truth.add_stages_by_source(
            p.touches[0].campaign_id if p.touches else None,
            {stage for stage, _ in p.journey.events},
        )
        self.truth.add_journey(p.journey, self.as_of)

    def pick(self, rng: random.Random, role: str) -> User:
        return rng.choice(self.users[role])

    def unripe_lead(self, p: Person, contact: dict, created: datetime) -> None:
        """Sales works a person marketing never qualified: every minute of it is wasted."""
        sdr = self.pick(p.rng, "sdr")
        opened = p.moment(created, self.as_of - timedelta(hours=2))
        lead = {
            "lead_id": f"L{p.tag}",
            "contact_id": contact["contact_id"],
            "email": contact["email"],
            "status": None,
            "lead_source": "sales",
            "owner_id": None,
            "created_at": iso(opened),
            "updated_at": iso(opened),
        }
        p.lead_change(lead, "status", "working", opened)
        p.lead_change(lead, "owner_id", sdr.user_id, opened)
        for _ in range(p.rng.randint(1, 3)):
            p.activity(
                sdr,
                p.moment(opened, self.as_of - timedelta(minutes=1)),
                lead_id=lead["lead_id"],
                wasted=True,
            )
        self.emit("crm.leads", lead)

    def sales_journey(self, p: Person, contact: dict, mql_at: datetime) -> None:
        """From MQL on: hand-over, acceptance, and the lead's fate (recycle loops at most twice)."""
        rng = p.rng
        sdr = self.pick(rng, "sdr")
        # how the CRM lead names its person: the contact id, the merged duplicate's id, or only
        # an email written differently (identity resolution must find the person every time)
        link = rng.random()
        lead = {
            "lead_id": f"L{p.tag}",
            "contact_id": None
            if link < 0.08
            else p.duplicate
            if (link < 0.5 and p.duplicate)
            else contact["contact_id"],
            "email": contact["email"].upper() if link < 0.08 else contact["email"],
            "status": None,
            "lead_source": "marketing",
            "owner_id": None,
            "created_at": iso(mql_at),
            "updated_at": iso(mql_at),
        }
        p.lead_change(lead, "status", "new", mql_at)
        p.lead_change(lead, "owner_id", sdr.user_id, mql_at)
        p.journey.enter("lead", mql_at, "mql_score")
        p.journey.first_mql_at = mql_at
        p.lifecycle("marketingqualifiedlead", mql_at)
        handed_at, accepted_at, last_touch, owner = mql_at, None, None, sdr
        for cycle in range(3):
            delay = timedelta(hours=rng.choice([0.5, 2, 6, 20, 40, 70]))
            if not p.before_as_of(handed_at + delay):
                accepted_at = None
                p.journey.handovers.append((handed_at, None))
                break
            accepted_at = handed_at + delay
            p.journey.handovers.append((handed_at, accepted_at))
            p.lead_change(lead, "status", "working", accepted_at)
            p.lifecycle("salesqualifiedlead", accepted_at)
            fate = rng.random()
            room = self.as_of - accepted_at
            if fate < 0.14 and room > timedelta(days=12) and cycle < 2:
                end = accepted_at + timedelta(days=rng.randint(1, 10))
                self.sdr_work(p, sdr, lead, accepted_at, end, wasted=True)
                p.lead_change(lead, "status", "recycled", end)
                p.journey.enter("prospect", end, "recycled")
                p.lifecycle("lead", end)
                contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-1"
                back = end + timedelta(days=rng.randint(5, 25))
                if rng.random() < 0.4 and p.before_as_of(back):
                    p.lead_change(lead, "status", "new", back)  # re-qualified: back to sales
                    p.journey.enter("lead", back, "requalified")
                    p.lifecycle("marketingqualifiedlead", back)
                    handed_at = back
                    continue
                self.emit("crm.leads", lead)
                self.judge_nurture(p, contact)
                return
            if fate < 0.22 and room > timedelta(days=12):
                end = accepted_at + timedelta(days=rng.randint(1, 10))
                self.sdr_work(p, sdr, lead, accepted_at, end, wasted=True)
                p.lead_change(lead, "status", "disqualified", end)
                p.journey.enter("database", end, "disqualified")
                self.emit("crm.leads", lead)
                return
            if fate < 0.57 and room > timedelta(days=4):
                self.sdr_work(
                    p, sdr, lead, accepted_at, accepted_at + timedelta(days=1), wasted=False
                )
                self.opportunity(p, lead, contact, accepted_at)
                self.emit("crm.leads", lead)
                return
            p.activity(sdr, accepted_at, lead_id=lead["lead_id"])
            last_touch = accepted_at
            if rng.random() < 0.93:  # still working it: the owner keeps in touch
                follow_up = p.moment(
                    max(accepted_at, self.as_of - timedelta(days=20)),
                    self.as_of - timedelta(minutes=1),
                )
                p.activity(sdr, follow_up, lead_id=lead["lead_id"], kind="email")
                last_touch = follow_up
            break
        roll = rng.random()
        if roll < 0.02:
            p.lead_change(lead, "owner_id", None, self.as_of - timedelta(hours=3))  # to nobody
            owner = None
        elif roll < 0.04:
            owner = self.pick(rng, "marketing")  # handed to sales, owned by marketing
            p.lead_change(lead, "owner_id", owner.user_id, self.as_of - timedelta(hours=3))
        self.emit("crm.leads", lead)
        self.judge(p, "sales", owner, last_touch, handed_at, accepted_at)

    def sdr_work(
        self, p: Person, sdr: User, lead: dict, start: datetime, end: datetime, wasted: bool
    ) -> None:
        for _ in range(p.rng.randint(1, 3)):
            p.activity(sdr, p.moment(start, end), lead_id=lead["lead_id"], wasted=wasted)

    def opportunity(self, p: Person, lead: dict, contact: dict, accepted_at: datetime) -> None:
        rng = p.rng
        ae = self.pick(rng, "ae")
        created = accepted_at + timedelta(days=rng.randint(1, 3))
        account_id, opp_id = f"ACC{p.tag}", f"O{p.tag}"
        am = self.pick(rng, "am")
        self.emit(
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
        self.emit(
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
        p.lead_change(lead, "status", "converted", created)
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
        path = ["discovery", "proposal", "negotiation"]
        if rng.random() < 0.2:
            path += ["proposal", "negotiation"]  # back to proposal (new stakeholders), then on
        outcome = rng.random()
        closing = "won" if outcome < 0.3 else "lost" if outcome < 0.5 else None
        if closing:
            path.append(closing)
        p.activity(ae, created, opp_id=opp_id, kind="meeting")
        last_touch = created
        for stage in path:
            if not p.before_as_of(moment):
                break
            opp["stage"] = stage
            self.emit(
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
            self.truth.attribute(p.touches, p.first_mql_at, created, float(amount))
            p.journey.enter("customer", last, "won")
            p.lifecycle("customer", last)
            self.emit_opportunity(opp)
            self.customer(p, account_id, opp_id, amount, last, am)
            return
        if opp["stage"] == "lost":
            p.journey.enter("prospect", last, "lost")
            p.lifecycle("lead", last)
            contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-2"
            self.emit_opportunity(opp)
            self.judge_nurture(p, contact)
            return
        if rng.random() < 0.9:
            follow_up = p.moment(
                max(created, self.as_of - timedelta(days=20)), self.as_of - timedelta(minutes=1)
            )
            p.activity(ae, follow_up, opp_id=opp_id)
            last_touch = follow_up
        self.emit_opportunity(opp)
        self.judge(p, "sales", ae, last_touch, None, None)

    def customer(
        self, p: Person, account_id: str, opp_id: str, amount: str, won: datetime, am: User
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
        self.emit("crm.orders", order)
        expansions_won: Counter = Counter()
        for kind, chance in (("upsell", 0.25), ("cross_sell", 0.10)):
            opened = won + timedelta(days=rng.randint(10, 40))
            if order["ended_on"] or rng.random() >= chance or not p.before_as_of(opened):
                continue
            expansion = {
                "opportunity_id": p.next_id("OX"),
                "account_id": account_id,
                "lead_id": None,
                "name": f"{kind.replace('_', ' ')} {account_id}",
                "opportunity_type": kind,
                "stage": "proposal",
                "amount": f"{rng.choice([2, 5, 10]) * 1000}.00",
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
            self.emit_opportunity(expansion)
            if expansion["stage"] == "won":
                expansions_won[kind] += float(expansion["amount"])
                self.emit(
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
        self.truth.add_account(won, float(amount), order["ended_on"] is not None, expansions_won)
        self.judge(p, "sales", am, None, None, None, check_stale=False)

    # -- the ownership invariant, as the generator sees it --------------------------------------
    def judge(
        self,
        p: Person,
        team: str,
        owner: User | None,
        last_touch,
        handed_at,
        accepted_at,
        check_stale: bool = True,
    ) -> None:
        reason = None
        if owner is None:
            reason = "no_owner"
        elif not owner.active_at(self.as_of):
            reason = "owner_inactive"
        elif owner.team != team:
            reason = "team_mismatch"
        elif handed_at is not None and accepted_at is None:
            if self.as_of - handed_at > self.sla:
                reason = "sla_breached"
        elif check_stale and (last_touch is None or self.as_of - last_touch > self.stale):
            reason = "stale"
        p.journey.orphan_reason = reason

    def judge_nurture(self, p: Person, contact: dict) -> None:
        program = contact["nurture_program_id"]
        if program is None:
            p.journey.orphan_reason = "no_owner"
        elif not self.programs[program]:
            p.journey.orphan_reason = "owner_inactive"
        else:
            p.journey.orphan_reason = None

    # -- dirty rows: each rejected by the loader with a known reason ----------------------------
    def dirty_rows(self) -> None:
        base = {
            "first_name": "Dirty",
            "last_name": "Row",
            "company_size": "100",
            "created_at": iso(self.start),
            "updated_at": iso(self.start),
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
                    "created_at": iso(self.start),
                    "updated_at": iso(self.start),
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
            line = self.w.write(key, row)
            source, stream = key.split(".")
            self.truth.rejects.append(
                {
                    "source": source,
                    "stream": stream,
                    "file": f"{stream}.csv",
                    "line": line,
                    "field": column,
                    "reason": reason,
                }
            )

    # -- all of it -----------------------------------------------------------------------------
    def write(self, out: Path, progress: bool) -> Truth:
        out.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            self.w = Writers(out, stack)
            self.make_users()
            self.make_programs()
            self.make_campaigns()
            step = max(1, self.people // 10)
            bar = tqdm(total=self.people, unit="people", disable=not progress, desc="generate")
            for index in range(self.people):
                self.person(index)
                bar.update()
                if not progress and (index + 1) % step == 0:
                    log.info("generated %d of %d people", index + 1, self.people)
            bar.close()
            self.dirty_rows()
        return self.truth


def generate_company(
    people: int,
    seed: int,
    days: int,
    out: Path,
    start: date = DEFAULT_START,
    policy: Policy | None = None,
    progress: bool | None = None,
) -> dict:
    """Write a demo company to `out` (one folder per source) and return its ground truth."""
    policy = policy or load_policy()
    progress = sys.stderr.isatty() if progress is None else progress
    company = Company(people, seed, days, start, policy)
    truth = company.write(out, progress)
    args = {
        "people": people,
        "seed": seed,
        "days": days,
        "start": start.isoformat(),
        "as_of": iso(company.as_of),
    }
    result = truth.as_json([stage.name for stage in policy.stages], args)
    (out / "ground_truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result
