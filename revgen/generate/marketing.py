"""Marketing: nurture programs, campaigns and their daily spend, and each person's touches (anonymous
awareness, then touches as a known contact that score them up to prospect and MQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from revgen.generate.catalog import (
    CHANNELS,
    ENGAGEMENT_TYPES,
    PASSIVE_TYPES,
    TOUCH_POINTS,
    UNMEASURABLE_CHANNEL,
)
from revgen.generate.state import Company, Person, iso
from revgen.generate.truth import Touch
from revgen.policy import Policy


def make_programs(c: Company) -> dict[str, bool]:
    """The nurture programs (id -> is active): a prospect's owner on the marketing side."""
    programs = {"NP-1": True, "NP-2": True, "NP-3": False}
    names = {"NP-1": "Monthly newsletter", "NP-2": "Product tips", "NP-3": "Legacy drip"}
    for program_id, active in programs.items():
        c.emit(
            "marketing.nurture_programs",
            {
                "program_id": program_id,
                "name": names[program_id],
                "is_active": "true" if active else "false",
            },
        )
    return programs


def make_campaigns(c: Company) -> dict[str, list[str]]:
    """Campaigns by channel (plus one unmeasurable channel) with a spend row per day."""
    rng = c.rng
    campaigns: dict[str, list[str]] = {}
    number = 0
    plan = [(channel, spec[0], 2) for channel, spec in CHANNELS.items()]
    plan.append((UNMEASURABLE_CHANNEL[0], UNMEASURABLE_CHANNEL[1], 1))
    scale = max(1.0, c.people / 1000)
    for channel, (low, high), count in plan:
        for k in range(count):
            number += 1
            campaign_id = f"CMP{number:03d}"
            campaigns.setdefault(channel, []).append(campaign_id)
            c.emit(
                "marketing.campaigns",
                {
                    "campaign_id": campaign_id,
                    "name": f"{channel.replace('_', ' ').title()} #{k + 1}",
                    "channel": channel,
                    "started_on": c.start.date().isoformat(),
                    "ended_on": (c.as_of - timedelta(days=1)).date().isoformat(),
                },
            )
            for day in range(c.days):
                amount = round(rng.uniform(low, high) * scale, 2)
                c.truth.spend_by_campaign[campaign_id] += amount
                c.emit(
                    "marketing.campaign_spend",
                    {
                        "campaign_id": campaign_id,
                        "spend_date": (c.start + timedelta(days=day)).date().isoformat(),
                        "amount": f"{amount:.2f}",
                        "currency": "USD",
                    },
                )
    return campaigns


def fits_icp(policy: Policy, contact: dict) -> bool:
    icp = policy.icp
    title = (contact["job_title"] or "").lower()
    return (
        contact["industry"] in icp.industries
        and contact["country"] in icp.countries
        and int(contact["company_size"]) >= icp.min_company_size
        and (not icp.job_title_keywords or any(k.lower() in title for k in icp.job_title_keywords))
    )


def anonymous_touches(c: Company, p: Person, created: datetime) -> set[str]:
    """Awareness before the person was known (a visitor id, no contact); the campaigns reached."""
    rng = p.rng
    reached: set[str] = set()
    for _ in range(rng.randint(3, 10)):
        channel = rng.choice(list(CHANNELS))
        campaign_id = rng.choice(c.campaigns[channel])
        reached.add(campaign_id)
        c.emit(
            "marketing.touchpoints",
            {
                "touchpoint_id": p.next_id("T"),
                "visitor_id": f"V{p.tag}",
                "campaign_id": campaign_id,
                "channel": channel,
                "touch_type": rng.choice(["impression", "impression", PASSIVE_TYPES[channel]]),
                "touched_at": iso(p.moment(c.start, created)),
            },
        )
    return reached


def known_touches(
    c: Company, p: Person, contact: dict, created: datetime
) -> tuple[datetime | None, datetime | None, set[str]]:
    """The known person's touches and lead scores; a prospect on ICP fit and an interest touch
    (enrolled in a nurture program), an MQL once a prospect's score reaches the threshold.
    Returns when they became a prospect, an MQL, and the campaigns they engaged with."""
    rng = p.rng
    fit = fits_icp(c.policy, contact)
    touches = sorted(
        p.moment(created, c.as_of - timedelta(minutes=1))
        for _ in range(min(12, int(rng.expovariate(1 / 3.5)) + 1))
    )
    score, prospect_at, mql_at = 0, None, None
    engaged_campaigns: set[str] = set()
    for touched in touches:
        channel = rng.choices(list(CHANNELS), weights=[spec[1] for spec in CHANNELS.values()])[0]
        p.journey.source_channel = p.journey.source_channel or channel
        engaged = rng.random() < CHANNELS[channel][2]
        touch_type = rng.choice(ENGAGEMENT_TYPES[channel]) if engaged else PASSIVE_TYPES[channel]
        touch = Touch(touched, p.next_id("T"), rng.choice(c.campaigns[channel]), channel)
        p.touches.append(touch)
        c.truth.measurable_campaigns.add(touch.campaign_id)
        c.emit(
            "marketing.touchpoints",
            {
                "touchpoint_id": touch.touchpoint_id,
                "contact_id": contact["contact_id"],
                "campaign_id": touch.campaign_id,
                "channel": channel,
                "touch_type": touch_type,
                "touched_at": iso(touched),
            },
        )
        score += TOUCH_POINTS[touch_type]
        c.emit(
            "marketing.lead_scores",
            {
                "score_id": p.next_id("S"),
                "contact_id": contact["contact_id"],
                "score": str(score),
                "scored_at": iso(touched),
            },
        )
        if touch_type in c.interest:
            engaged_campaigns.add(touch.campaign_id)
        if fit and prospect_at is None and touch_type in c.interest:
            prospect_at = touched
        if prospect_at is not None and mql_at is None and score >= c.threshold:
            mql_at = touched

    if prospect_at is not None:
        p.journey.enter("prospect", prospect_at, "icp_fit_and_interest")
        contact["nurture_program_id"] = rng.choices(
            ["NP-1", "NP-2", "NP-3", None], weights=[60, 36, 2, 2]
        )[0]
    return prospect_at, mql_at, engaged_campaigns
