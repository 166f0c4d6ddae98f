"""What every part of the generator shares: the company (its clock, policy, users, programs,
campaigns, one CSV writer per stream and the ground truth being counted) and one person's
simulation (their own random stream, ids and event log).

The parts (`people`, `marketing`, `sales`, `ownership`, `dirty`) take these as arguments and import
nothing from each other but what they call; `company` runs them in order.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from revgen.contract import STREAMS, Stream
from revgen.generate.truth import Journey, Touch, Truth
from revgen.policy import Policy


def iso(moment: datetime) -> str:
    # isoformat is several times faster than strftime, which a 10M-person company calls ~200M times
    return moment.isoformat(timespec="seconds")[:19] + "Z"


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
        self._writers: dict[str, tuple[Stream, Any]] = {}
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


class Company:
    """The generated company's shared state. `rng` draws the fixed parts (users, campaigns);
    each person draws from their own stream (`Person.rng`)."""

    def __init__(
        self, people: int, seed: int, days: int, start: date, policy: Policy, w: Writers
    ) -> None:
        self.people = people
        self.seed = seed
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.as_of = self.start + timedelta(days=days)
        self.days = days
        self.policy = policy
        self.w = w
        self.rng = random.Random(seed)
        self.truth = Truth(
            start=self.start, days=days, sla_hours=policy.stage("lead").sla_hours or 24
        )
        self.sla = timedelta(hours=policy.stage("lead").sla_hours or 24)
        # the demo company has activities: a policy without a stale limit judges nobody stale
        self.stale = timedelta(days=policy.stale_days) if policy.stale_days else timedelta.max
        self.threshold = policy.mql.score_threshold
        self.interest = set(policy.interest.touch_types)
        # the fixed parts, made before any person (people.make_users, marketing.make_*)
        self.users: dict[str, list[User]] = {}
        self.programs: dict[str, bool] = {}  # nurture program id -> is active
        self.campaigns: dict[str, list[str]] = {}  # channel -> campaign ids

    def moment(self, rng: random.Random, earliest: datetime, latest: datetime) -> datetime:
        span = max(0, int((latest - earliest).total_seconds()))
        return earliest + timedelta(seconds=rng.randint(0, span) // 60 * 60)

    def emit(self, key: str, row: dict) -> int:
        self.truth.rows[key] += 1
        return self.w.write(key, row)


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

    def lifecycle(self, stage: str, at: datetime) -> None:
        """The marketing tool's lifecycle stage changes (marketing and sales both move it)."""
        self.c.emit(
            "marketing.lifecycle_changes",
            {
                "change_id": self.next_id("LC"),
                "contact_id": self.journey.person_id,
                "lifecycle_stage": stage,
                "changed_at": iso(at),
            },
        )
