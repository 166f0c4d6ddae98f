"""A deterministic demo company: marketing-automation and CRM exports plus their ground truth.

Each person's journey is simulated with its own random stream (so one person never shifts
another): known, then a prospect on ICP fit + interest, an MQL on score, handed to an SDR who
accepts (or breaches the SLA), then recycled to marketing (and sometimes re-qualified),
disqualified, or converted to an opportunity that moves through sub-stages (sometimes backwards)
and is won or lost; customers buy, expand and sometimes churn. Sales also spends time on unripe
people. The generator keeps its own event log per person and writes `ground_truth.json` from it
(never from SQL). Rows are written as they are made, so memory stays bounded. Same seed, same bytes.

This module runs the parts in order: `people` (users, contact records), `marketing` (programs,
campaigns, touches), `sales` (leads, opportunities, customers), `ownership` (who is an orphan),
`dirty` (rows the loader must reject); `state` holds what they share.
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from tqdm import tqdm

from revgen.generate.dirty import dirty_rows
from revgen.generate.marketing import (
    anonymous_touches,
    known_touches,
    make_campaigns,
    make_programs,
)
from revgen.generate.ownership import judge_nurture
from revgen.generate.people import become_known, make_users, write_contact
from revgen.generate.sales import sales_journey, unripe_lead
from revgen.generate.state import Company, Person, Writers, iso
from revgen.generate.truth import Truth
from revgen.policy import Policy, load_policy

log = logging.getLogger(__name__)

DEFAULT_START = date(2026, 1, 1)


def simulate_person(c: Company, index: int) -> None:
    """One person's whole story, in the order its random draws were made (the same seed must give
    the same bytes: moving a step moves every draw after it)."""
    p = Person(c, index)
    contact, created = become_known(c, p)
    anonymous_campaigns = anonymous_touches(c, p, created)
    prospect_at, mql_at, engaged_campaigns = known_touches(c, p, contact, created)
    if mql_at is not None:
        p.first_mql_at = mql_at
        sales_journey(c, p, contact, mql_at)
    else:
        if p.rng.random() < 0.08:
            unripe_lead(c, p, contact, created)
        if prospect_at is not None:
            judge_nurture(c, p, contact)
    write_contact(c, p, contact)
    c.truth.add_reach(anonymous_campaigns, {t.campaign_id for t in p.touches}, engaged_campaigns)
    c.truth.add_stages_by_source(
        p.touches[0].campaign_id if p.touches else None,
        {stage for stage, _ in p.journey.events},
    )
    c.truth.add_journey(p.journey, c.as_of)


def simulate(c: Company, progress: bool) -> Truth:
    """The fixed parts, every person, then the dirty rows."""
    c.users = make_users(c)
    c.programs = make_programs(c)
    c.campaigns = make_campaigns(c)
    step = max(1, c.people // 10)
    bar = tqdm(total=c.people, unit="people", disable=not progress, desc="generate")
    for index in range(c.people):
        simulate_person(c, index)
        bar.update()
        if not progress and (index + 1) % step == 0:
            log.info("generated %d of %d people", index + 1, c.people)
    bar.close()
    dirty_rows(c)
    return c.truth


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
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        company = Company(people, seed, days, start, policy, Writers(out, stack))
        truth = simulate(company, progress)
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
