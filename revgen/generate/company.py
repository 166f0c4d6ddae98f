"""A deterministic demo company: marketing-automation and CRM exports plus their ground truth.

The generator simulates each person's journey with its own random stream and decides, from its own
event log and the policy file, where each person stands at the as-of time. It writes CSV files in
the raw contract's shape and `ground_truth.json` (never computed by SQL). Same seed, same bytes.
Memory stays bounded: rows are written as they are made; only counters and the orphan list are kept.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import sys
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tqdm import tqdm

from revgen.contract import STREAMS, Stream
from revgen.policy import Policy, load_policy

log = logging.getLogger(__name__)

DEFAULT_START = date(2026, 1, 1)

# channel: (daily spend range USD, share of people reached, chance a touch is engagement)
CHANNELS = {
    "paid_search": ((300, 600), 0.25, 0.45),
    "social": ((100, 250), 0.25, 0.20),
    "email": ((20, 60), 0.20, 0.60),
    "events": ((400, 900), 0.10, 0.80),
    "content": ((50, 120), 0.20, 0.50),
}
TOUCH_POINTS = {  # touch type -> lead-score points
    "web_visit": 5,
    "ad_click": 5,
    "email_click": 10,
    "content_download": 15,
    "form_fill": 25,
    "webinar_attended": 20,
    "event_attended": 30,
    "demo_request": 40,
}
ENGAGEMENT_TYPES = {
    "paid_search": ["form_fill", "content_download", "demo_request"],
    "social": ["content_download", "form_fill"],
    "email": ["email_click", "webinar_attended", "content_download"],
    "events": ["event_attended", "demo_request"],
    "content": ["content_download", "webinar_attended"],
}
PASSIVE_TYPES = {
    "paid_search": "ad_click",
    "social": "ad_click",
    "email": "web_visit",
    "events": "web_visit",
    "content": "web_visit",
}
OTHER_INDUSTRIES = ["education", "government", "nonprofit", "media"]
OTHER_COUNTRIES = ["BR", "IN", "JP", "MX"]
TITLES = [
    "VP Marketing",
    "Head of Sales",
    "CTO",
    "Data Engineer",
    "Operations Manager",
    "CFO",
    "Analyst",
    "Founder",
]
FIRST = ["Dana", "Noa", "Avi", "Maya", "Lior", "Sam", "Alex", "Kim", "Rin", "Omer", "Tal", "Yael"]
LAST = ["Cohen", "Levi", "Smith", "Garcia", "Muller", "Martin", "Rossi", "Novak", "Sato", "Silva"]
OPEN_OPP_STAGES = ["discovery", "proposal", "negotiation"]
ORPHAN_REASONS = ("no_owner", "owner_inactive", "team_mismatch", "sla_breached", "stale")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    user_id: str
    name: str
    role: str
    team: str
    deactivated_at: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.deactivated_at is None or moment < self.deactivated_at


@dataclass
class Truth:
    """What the generator knows to be true at the as-of time."""

    rows: Counter = field(default_factory=Counter)
    stage_counts: Counter = field(default_factory=Counter)
    orphans: dict[str, str] = field(default_factory=dict)
    rejects: list[dict] = field(default_factory=list)
    spend_usd: float = 0.0

    def as_json(self, policy: Policy, args: dict) -> dict:
        return {
            "generator": args,
            "rows": dict(sorted(self.rows.items())),
            "people_per_stage": {
                stage.name: self.stage_counts.get(stage.name, 0)
                for stage in policy.stages
                if stage.name not in ("awareness", "preference")
            },
            "orphans": dict(sorted(self.orphans.items())),
            "orphans_by_reason": dict(sorted(Counter(self.orphans.values()).items())),
            "total_spend_usd": round(self.spend_usd, 2),
            "expected_rejects": self.rejects,
        }


class Writers:
    """One CSV writer per stream; counts lines so rejects can name them."""

    def __init__(self, out: Path, stack: ExitStack) -> None:
        self._writers: dict[str, csv.writer] = {}
        self._lines: Counter = Counter()
        self._streams: dict[str, Stream] = {}
        for stream in STREAMS:
            folder = out / stream.source
            folder.mkdir(parents=True, exist_ok=True)
            handle = stack.enter_context(open(folder / f"{stream.name}.csv", "w", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(stream.column_names)
            key = f"{stream.source}.{stream.name}"
            self._writers[key] = writer
            self._lines[key] = 1
            self._streams[key] = stream

    def write(self, key: str, row: dict) -> int:
        """Write a row (missing columns empty); return its line number in the file."""
        stream = self._streams[key]
        self._writers[key].writerow(
            ["" if row.get(c) is None else row[c] for c in stream.column_names]
        )
        self._lines[key] += 1
        return self._lines[key]


class Company:
    def __init__(self, people: int, seed: int, days: int, start: date, policy: Policy) -> None:
        self.people = people
        self.seed = seed
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.as_of = self.start + timedelta(days=days)
        self.days = days
        self.policy = policy
        self.rng = random.Random(seed)
        self.truth = Truth()
        self.sla = timedelta(hours=policy.stage("lead").sla_hours or 24)
        self.threshold = policy.mql.score_threshold
        self.interest = set(policy.interest.touch_types)

    # -- helpers -------------------------------------------------------------------------------
    def moment(self, rng: random.Random, earliest: datetime, latest: datetime) -> datetime:
        span = max(0, int((latest - earliest).total_seconds()))
        return earliest + timedelta(seconds=rng.randint(0, span) // 60 * 60)

    def emit(self, key: str, row: dict) -> int:
        self.truth.rows[key] += 1
        return self.w.write(key, row)

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
        self.users: dict[str, list[User]] = {"sdr": [], "ae": [], "marketing": []}
        counts = {
            "sdr": max(3, self.people // 250),
            "ae": max(2, self.people // 400),
            "marketing": 2,
        }
        number = 0
        for role, count in counts.items():
            for _ in range(count):
                number += 1
                team = "marketing" if role == "marketing" else "sales"
                user = User(f"U{number:05d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", role, team)
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
                        "annual_revenue_target": "1000000.00" if team == "sales" else None,
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
        plan = [(channel, 2) for channel in CHANNELS] + [("tv", 1)]  # tv reaches nobody measurable
        for channel, count in plan:
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
                low, high = CHANNELS.get(channel, ((800, 1200),))[0]
                scale = max(1.0, self.people / 1000)
                for day in range(self.days):
                    amount = round(rng.uniform(low, high) * scale, 2)
                    self.truth.spend_usd += amount
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
        rng = random.Random(self.seed * 1_000_003 + index)
        contact_id = f"C{index + 1:07d}"
        created = self.moment(rng, self.start, self.as_of - timedelta(hours=1))
        fit_roll = rng.random() < 0.6
        contact = {
            "contact_id": contact_id,
            "email": f"{contact_id.lower()}@{rng.choice(['acme', 'globex', 'initech', 'umbrella'])}.example",
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

        # touches, each possibly scoring; anonymous visits before the contact was known
        for _ in range(rng.randint(0, 2)):
            channel = rng.choice(list(CHANNELS))
            self.emit(
                "marketing.touchpoints",
                {
                    "touchpoint_id": f"T{index + 1:07d}-A{_}",
                    "visitor_id": f"V{index + 1:07d}",
                    "campaign_id": rng.choice(self.campaigns[channel]),
                    "channel": channel,
                    "touch_type": PASSIVE_TYPES[channel],
                    "touched_at": iso(self.moment(rng, self.start, created)),
                },
            )
        touches = sorted(
            self.moment(rng, created, self.as_of - timedelta(minutes=1))
            for _ in range(min(12, int(rng.expovariate(1 / 3.5)) + 1))
        )
        score, prospect_at, mql_at = 0, None, None
        for n, touched in enumerate(touches):
            channel = rng.choices(list(CHANNELS), weights=[c[1] for c in CHANNELS.values()])[0]
            engaged = rng.random() < CHANNELS[channel][2]
            touch_type = (
                rng.choice(ENGAGEMENT_TYPES[channel]) if engaged else PASSIVE_TYPES[channel]
            )
            self.emit(
                "marketing.touchpoints",
                {
                    "touchpoint_id": f"T{index + 1:07d}-{n:02d}",
                    "contact_id": contact_id,
                    "campaign_id": rng.choice(self.campaigns[channel]),
                    "channel": channel,
                    "touch_type": touch_type,
                    "touched_at": iso(touched),
                },
            )
            score += TOUCH_POINTS[touch_type]
            self.emit(
                "marketing.lead_scores",
                {
                    "score_id": f"S{index + 1:07d}-{n:02d}",
                    "contact_id": contact_id,
                    "score": str(score),
                    "scored_at": iso(touched),
                },
            )
            if fit and prospect_at is None and touch_type in self.interest:
                prospect_at = touched
            if prospect_at is not None and mql_at is None and score >= self.threshold:
                mql_at = touched

        stage = "database"
        if prospect_at is not None:
            stage = "prospect"
            contact["nurture_program_id"] = rng.choices(
                ["NP-1", "NP-2", "NP-3", None], weights=[60, 36, 2, 2]
            )[0]
        if mql_at is not None:
            stage = self.sales_journey(rng, index, contact, mql_at)
        elif stage == "prospect":
            self.judge_nurture(contact)
        self.emit("marketing.contacts", contact)
        self.truth.stage_counts[stage] += 1

    def pick(self, rng: random.Random, role: str) -> User:
        return rng.choice(self.users[role])

    def activity(
        self, rng, index, n, owner: User, at: datetime, lead_id=None, opp_id=None, kind="call"
    ) -> None:
        self.emit(
            "crm.activities",
            {
                "activity_id": f"A{index + 1:07d}-{n:02d}",
                "activity_type": kind,
                "owner_id": owner.user_id,
                "lead_id": lead_id,
                "opportunity_id": opp_id,
                "started_at": iso(at),
                "duration_minutes": str(rng.choice([5, 15, 30, 45, 60])),
            },
        )

    def sales_journey(self, rng: random.Random, index: int, contact: dict, mql_at: datetime) -> str:
        """From MQL on: the lead in the CRM, its owner, its fate. Returns the person's stage."""
        lead_id = f"L{index + 1:07d}"
        sdr = self.pick(rng, "sdr")
        lead = {
            "lead_id": lead_id,
            "contact_id": contact["contact_id"],
            "email": contact["email"],
            "status": "new",
            "owner_id": sdr.user_id,
            "created_at": iso(mql_at),
            "updated_at": iso(mql_at),
        }
        hours_left = (self.as_of - mql_at).total_seconds() / 3600
        delay = timedelta(hours=rng.choice([0.5, 2, 6, 20, 40, 70]))
        accepted_at = mql_at + delay if mql_at + delay < self.as_of else None
        stage, owner, last_touch = "lead", sdr, None
        n = 0
        if accepted_at is not None:
            lead["status"] = "working"
            lead["updated_at"] = iso(accepted_at)
            self.activity(rng, index, n, sdr, accepted_at, lead_id=lead_id)
            n += 1
            last_touch = accepted_at
            fate = rng.random()
            if fate < 0.12 and hours_left > 48:
                lead["status"] = "recycled"
                contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-1"
                stage = "prospect"
            elif fate < 0.20 and hours_left > 48:
                lead["status"] = "disqualified"
                stage = "database"
            elif fate < 0.55 and hours_left > 72:
                lead["status"] = "converted"
                stage = self.opportunity(rng, index, lead_id, contact, accepted_at)
            elif rng.random() < 0.93:  # still working: the owner keeps in touch
                follow_up = self.moment(
                    rng,
                    max(accepted_at, self.as_of - timedelta(days=20)),
                    self.as_of - timedelta(minutes=1),
                )
                self.activity(rng, index, n, sdr, follow_up, lead_id=lead_id, kind="email")
                last_touch = follow_up
        roll = rng.random()
        if stage == "lead" and roll < 0.02:
            lead["owner_id"] = None  # injected: handed over to nobody
        elif stage == "lead" and roll < 0.04:
            owner = self.pick(rng, "marketing")  # injected: handed to sales, owned by marketing
            lead["owner_id"] = owner.user_id
        self.emit("crm.leads", lead)
        if stage == "lead":
            self.judge(
                contact["contact_id"],
                "sales",
                owner if lead["owner_id"] else None,
                last_touch,
                mql_at,
                accepted_at,
            )
        elif stage == "prospect":
            self.judge_nurture(contact)
        return stage

    def opportunity(self, rng, index, lead_id, contact, accepted_at) -> str:
        ae = self.pick(rng, "ae")
        opp_id = f"O{index + 1:07d}"
        created = accepted_at + timedelta(days=rng.randint(1, 3))
        opp = {
            "opportunity_id": opp_id,
            "lead_id": lead_id,
            "name": f"{contact['company']} deal",
            "stage": rng.choice(OPEN_OPP_STAGES),
            "amount": f"{rng.choice([8, 15, 30, 60]) * 1000}.00",
            "currency": "USD",
            "has_budget": "true",
            "owner_id": ae.user_id,
            "created_at": iso(created),
            "closed_at": None,
        }
        self.activity(rng, index, 10, ae, created, opp_id=opp_id, kind="meeting")
        last_touch = created
        outcome = rng.random()
        closed = self.moment(rng, created, self.as_of - timedelta(minutes=1))
        if outcome < 0.3:
            opp["stage"], opp["closed_at"] = "won", iso(closed)
            stage = "customer"
        elif outcome < 0.5:
            opp["stage"], opp["closed_at"] = "lost", iso(closed)
            contact["nurture_program_id"] = contact["nurture_program_id"] or "NP-2"
            stage = "prospect"
        else:
            stage = "opportunity"
            if rng.random() < 0.9:
                follow_up = self.moment(
                    rng,
                    max(created, self.as_of - timedelta(days=20)),
                    self.as_of - timedelta(minutes=1),
                )
                self.activity(rng, index, 11, ae, follow_up, opp_id=opp_id)
                last_touch = follow_up
        self.emit("crm.opportunities", opp)
        if stage == "prospect":
            self.judge_nurture(contact)
        elif stage in ("opportunity", "customer"):
            self.judge(
                contact["contact_id"],
                "sales",
                ae,
                last_touch,
                None,
                None,
                check_stale=stage == "opportunity",
            )
        return stage

    # -- the ownership invariant, as the generator sees it --------------------------------------
    def judge(
        self,
        person_id: str,
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
        elif check_stale and (
            last_touch is None or self.as_of - last_touch > timedelta(days=self.policy.stale_days)
        ):
            reason = "stale"
        if reason:
            self.truth.orphans[person_id] = reason

    def judge_nurture(self, contact: dict) -> None:
        program = contact["nurture_program_id"]
        if program is None:
            self.truth.orphans[contact["contact_id"]] = "no_owner"
        elif not self.programs[program]:
            self.truth.orphans[contact["contact_id"]] = "owner_inactive"

    # -- dirty rows: each rejected by the loader with a known reason ----------------------------
    def dirty_rows(self) -> None:
        future = "2099-01-01T00:00:00Z"  # after any wall clock this code will meet
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
                    "created_at": future,
                    "updated_at": future,
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
    result = truth.as_json(policy, args)
    (out / "ground_truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result
