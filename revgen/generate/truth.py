"""The ground truth: what the generator knows to be true, aggregated from each person's journey.

Definitions (the dbt marts must agree):
- stages: a person's current stage is the stage of their last journey event.
- transitions: each event after the first; direction `forward` (to a later stage), `backward`
  (to an earlier one: recycle, disqualification, lost deal) or `re_entry` (forward into a stage
  the person had entered before).
- conversion s -> next: of the people who ever entered s, those who entered the next stage after
  their first entry into s (first entries only); re-entries are counted apart.
- velocity s -> next: days from the first entry into s to the first entry into the next stage,
  median and 90th percentile with linear interpolation (SQL's percentile_cont).
- wasted sales time: minutes of sales activities on a person before their first MQL, or on a
  lead later recycled or disqualified, priced at the rep's hourly value.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

FUNNEL = ("database", "prospect", "lead", "opportunity", "customer")


def percentile_cont(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Journey:
    person_id: str
    events: list[tuple[str, datetime]] = field(default_factory=list)
    orphan_reason: str | None = None
    source_channel: str | None = None

    def enter(self, stage: str, at: datetime) -> None:
        self.events.append((stage, at))

    @property
    def stage(self) -> str:
        return self.events[-1][0]


@dataclass
class Truth:
    rows: Counter = field(default_factory=Counter)
    stage_counts: Counter = field(default_factory=Counter)
    transitions: Counter = field(default_factory=Counter)
    orphans: dict[str, str] = field(default_factory=dict)
    rejects: list[dict] = field(default_factory=list)
    spend_by_campaign: Counter = field(default_factory=Counter)
    entered: Counter = field(default_factory=Counter)
    converted: Counter = field(default_factory=Counter)
    velocity_days: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    wasted_minutes_by_rep: Counter = field(default_factory=Counter)
    wasted_usd_by_rep: Counter = field(default_factory=Counter)
    wasted_minutes_by_channel: Counter = field(default_factory=Counter)

    def add_journey(self, journey: Journey) -> None:
        self.stage_counts[journey.stage] += 1
        order = {stage: position for position, stage in enumerate(FUNNEL)}
        seen = {journey.events[0][0]}
        first_at: dict[str, datetime] = {journey.events[0][0]: journey.events[0][1]}
        for (before, _), (after, at) in zip(journey.events, journey.events[1:], strict=False):
            if order[after] < order[before]:
                direction = "backward"
            elif after in seen:
                direction = "re_entry"
            else:
                direction = "forward"
            self.transitions[f"{before}>{after}:{direction}"] += 1
            seen.add(after)
            first_at.setdefault(after, at)
        for stage, following in zip(FUNNEL, FUNNEL[1:], strict=False):
            if stage in first_at:
                self.entered[stage] += 1
                if following in first_at and first_at[following] >= first_at[stage]:
                    self.converted[stage] += 1
                    days = (first_at[following] - first_at[stage]).total_seconds() / 86400
                    self.velocity_days[stage].append(days)
        if journey.orphan_reason:
            self.orphans[journey.person_id] = journey.orphan_reason

    def add_waste(self, rep: str, minutes: int, hourly_usd: float, channel: str | None) -> None:
        self.wasted_minutes_by_rep[rep] += minutes
        self.wasted_usd_by_rep[rep] += minutes / 60 * hourly_usd
        self.wasted_minutes_by_channel[channel or "unknown"] += minutes

    def as_json(self, stage_names: list[str], args: dict) -> dict:
        conversions = {}
        for stage, following in zip(FUNNEL, FUNNEL[1:], strict=False):
            entered, converted = self.entered[stage], self.converted[stage]
            days = self.velocity_days.get(stage, [])
            conversions[f"{stage}>{following}"] = {
                "entered": entered,
                "converted": converted,
                "rate": converted / entered if entered else None,
                "velocity_days_median": percentile_cont(days, 0.5),
                "velocity_days_p90": percentile_cont(days, 0.9),
            }
        return {
            "generator": args,
            "rows": dict(sorted(self.rows.items())),
            "people_per_stage": {
                name: self.stage_counts.get(name, 0) for name in stage_names if name in FUNNEL
            },
            "transitions": dict(sorted(self.transitions.items())),
            "conversions": conversions,
            "orphans": dict(sorted(self.orphans.items())),
            "orphans_by_reason": dict(sorted(Counter(self.orphans.values()).items())),
            "spend_usd_by_campaign": {
                k: round(v, 2) for k, v in sorted(self.spend_by_campaign.items())
            },
            "total_spend_usd": round(sum(self.spend_by_campaign.values()), 2),
            "wasted_sales_hours_by_rep": {
                k: round(v / 60, 6) for k, v in sorted(self.wasted_minutes_by_rep.items())
            },
            "wasted_sales_usd_by_rep": {
                k: round(v, 2) for k, v in sorted(self.wasted_usd_by_rep.items())
            },
            "wasted_sales_hours_by_channel": {
                k: round(v / 60, 6) for k, v in sorted(self.wasted_minutes_by_channel.items())
            },
            "expected_rejects": self.rejects,
        }
