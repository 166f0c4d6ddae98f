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
MODELS = ("first_touch", "last_touch", "linear", "w_shaped")


@dataclass(frozen=True)
class Touch:
    touched_at: datetime
    touchpoint_id: str
    campaign_id: str
    channel: str


def attribution_weights(
    touches: list[Touch], mql_at: datetime | None, opportunity_at: datetime
) -> dict[str, list[float]]:
    """Credit per touch under each model, over the known person's touches up to the moment the
    opportunity was created (ordered by time, then id).
    - first_touch / last_touch: all to the first / last of them;
    - linear: equal shares;
    - w_shaped: 30% first, 30% the lead-creation touch (the last at or before the first MQL),
      30% the opportunity-creation touch (the last), 10% split over the touches in between them
      all; with no touch in between, that 10% is split equally over the three key touches."""
    path = sorted(
        (t for t in touches if t.touched_at <= opportunity_at),
        key=lambda t: (t.touched_at, t.touchpoint_id),
    )
    n = len(path)
    if n == 0:
        return {}
    weights = {model: [0.0] * n for model in MODELS}
    weights["first_touch"][0] = 1.0
    weights["last_touch"][-1] = 1.0
    weights["linear"] = [1.0 / n] * n
    lead = max((i for i, t in enumerate(path) if mql_at and t.touched_at <= mql_at), default=0)
    keys = [0, lead, n - 1]
    w = weights["w_shaped"]
    for index in keys:
        w[index] += 0.3
    middle = [i for i in range(n) if i not in keys]
    for index in middle or keys:
        w[index] += 0.1 / len(middle or keys)
    return weights


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
    measurable_campaigns: set[str] = field(default_factory=set)
    attributed: dict[str, Counter] = field(default_factory=lambda: {m: Counter() for m in MODELS})
    won_revenue_usd: float = 0.0
    cohorts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def attribute(
        self, touches: list[Touch], mql_at: datetime | None, opportunity_at: datetime, amount: float
    ) -> None:
        """Credit a won new-business deal's amount to the campaigns of its touches."""
        self.won_revenue_usd += amount
        path = sorted(
            (t for t in touches if t.touched_at <= opportunity_at),
            key=lambda t: (t.touched_at, t.touchpoint_id),
        )
        for model, shares in attribution_weights(touches, mql_at, opportunity_at).items():
            for touch, share in zip(path, shares, strict=True):
                if share:
                    self.attributed[model][touch.campaign_id] += share * amount

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
                month = first_at[stage].strftime("%Y-%m")
                self.cohorts[f"{stage}>{following}"][f"{month}:entered"] += 1
                if following in first_at and first_at[following] >= first_at[stage]:
                    self.converted[stage] += 1
                    self.cohorts[f"{stage}>{following}"][f"{month}:converted"] += 1
                    days = (first_at[following] - first_at[stage]).total_seconds() / 86400
                    self.velocity_days[stage].append(days)
        if journey.orphan_reason:
            self.orphans[journey.person_id] = journey.orphan_reason

    def add_waste(self, rep: str, minutes: int, hourly_usd: float, channel: str | None) -> None:
        self.wasted_minutes_by_rep[rep] += minutes
        self.wasted_usd_by_rep[rep] += minutes / 60 * hourly_usd
        self.wasted_minutes_by_channel[channel or "unknown"] += minutes

    def as_json(self, stage_names: list[str], args: dict) -> dict:
        total_spend = sum(self.spend_by_campaign.values())
        unmeasurable = sum(
            v for k, v in self.spend_by_campaign.items() if k not in self.measurable_campaigns
        )
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
            "cohort_conversions": {
                pair: {
                    month: {
                        "entered": counts[f"{month}:entered"],
                        "converted": counts[f"{month}:converted"],
                    }
                    for month in sorted({key.split(":")[0] for key in counts})
                }
                for pair, counts in sorted(self.cohorts.items())
            },
            "spend_usd_by_campaign": {
                k: round(v, 2) for k, v in sorted(self.spend_by_campaign.items())
            },
            "total_spend_usd": round(total_spend, 2),
            "unmeasurable_spend_usd": round(unmeasurable, 2),
            "unmeasurable_spend_share": unmeasurable / total_spend if total_spend else None,
            "won_new_business_usd": round(self.won_revenue_usd, 2),
            "attributed_revenue_usd_by_campaign": {
                model: {k: round(v, 2) for k, v in sorted(credit.items())}
                for model, credit in self.attributed.items()
            },
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
