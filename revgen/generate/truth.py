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
from datetime import datetime, timedelta

from revgen.policy import PERSON_STAGES

FUNNEL = PERSON_STAGES  # the stages measured per person (revgen/policy.py)
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
    reasons: list[str] = field(default_factory=list)
    orphan_reason: str | None = None
    source_channel: str | None = None
    first_mql_at: datetime | None = None
    lead_touches: list[datetime] = field(default_factory=list)  # sales activities on the lead
    handovers: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    def enter(self, stage: str, at: datetime, reason: str = "") -> None:
        self.events.append((stage, at))
        self.reasons.append(reason)

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
    speed_to_lead_minutes: list[float] = field(default_factory=list)
    mqls_never_touched: int = 0
    sla_met: int = 0
    sla_decided: int = 0
    recycle: Counter = field(default_factory=Counter)
    opportunities: Counter = field(default_factory=Counter)
    won_cycle_days: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    daily: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reach: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    stages_by_source: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    expansion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    start: datetime | None = None
    days: int = 0
    sla_hours: float = 24.0

    def add_reach(self, anonymous: set[str], known: set[str], engaged: set[str]) -> None:
        """Awareness and preference per campaign: one anonymous visitor, one known person."""
        for campaign in anonymous:
            self.reach[campaign]["anonymous_visitors"] += 1
        for campaign in known:
            self.reach[campaign]["people_reached"] += 1
        for campaign in engaged:
            self.reach[campaign]["people_engaged"] += 1

    def add_stages_by_source(self, campaign: str | None, stages: set[str]) -> None:
        """Cost per stage: people reaching each stage, by the campaign of their first known touch."""
        if campaign is not None:
            for stage in stages:
                self.stages_by_source[campaign][stage] += 1

    def add_account(self, won: datetime, amount: float, churned: bool, expansions: Counter) -> None:
        """Customer expansion per cohort (month of the first win)."""
        cohort = self.expansion[won.strftime("%Y-%m")]
        cohort["accounts"] += 1
        cohort["churned"] += churned
        cohort["new_business_usd"] += amount
        for kind, value in expansions.items():
            cohort[f"{kind}_usd"] += value

    def add_opportunity(
        self, kind: str, stage: str, amount: float, created: datetime, closed: datetime | None
    ) -> None:
        """Win rate, deal size, cycle length and pipeline, per opportunity type."""
        if stage in ("won", "lost"):
            self.opportunities[f"{kind}:closed"] += 1
            self.opportunities[f"{kind}:closed_usd"] += amount
            if stage == "won":
                self.opportunities[f"{kind}:won"] += 1
                self.opportunities[f"{kind}:won_usd"] += amount
                assert closed is not None  # a won deal has its close date
                self.won_cycle_days[kind].append((closed - created).total_seconds() / 86400)
        else:
            self.opportunities[f"{kind}:open"] += 1
            self.opportunities[f"{kind}:open_usd"] += amount

    def _add_sales_timing(self, journey: Journey, as_of: datetime) -> None:
        if journey.first_mql_at is not None:
            after = [t for t in journey.lead_touches if t >= journey.first_mql_at]
            if after:
                minutes = (min(after) - journey.first_mql_at).total_seconds() / 60
                self.speed_to_lead_minutes.append(minutes)
            else:
                self.mqls_never_touched += 1
        sla = timedelta(hours=self.sla_hours)
        for handed, accepted in journey.handovers:
            met = accepted is not None and accepted - handed <= sla
            if accepted is not None or handed + sla <= as_of:
                self.sla_decided += 1
                self.sla_met += met

    def _add_recycling(self, journey: Journey) -> None:
        stages, reasons = [e[0] for e in journey.events], journey.reasons
        if "lead" in stages:
            self.recycle["reached_lead"] += 1
            recycled_at = [i for i, r in enumerate(reasons) if r == "recycled"]
            if recycled_at:
                self.recycle["recycled"] += 1
                if any(stages[i] == "lead" for i in range(recycled_at[0] + 1, len(stages))):
                    self.recycle["recycled_came_back"] += 1
        if "opportunity" in stages:
            self.recycle["reached_opportunity"] += 1
            self.recycle["lost_to_nurture"] += "lost" in reasons

    def _add_days(self, journey: Journey) -> None:
        """People per stage at the end of each day: a change on the day of each day's last event."""
        assert self.start is not None
        last_of_day: dict[int, str] = {}
        for stage, at in journey.events:
            last_of_day[(at - self.start).days] = stage
        previous = None
        for day in sorted(last_of_day):
            stage = last_of_day[day]
            if stage != previous:
                self.daily[day][stage] += 1
                if previous is not None:
                    self.daily[day][previous] -= 1
            previous = stage

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

    def add_journey(self, journey: Journey, as_of: datetime) -> None:
        self._add_sales_timing(journey, as_of)
        self._add_recycling(journey)
        self._add_days(journey)
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
            "speed_to_lead": {
                "mqls_touched": len(self.speed_to_lead_minutes),
                "mqls_never_touched": self.mqls_never_touched,
                "median_minutes": percentile_cont(self.speed_to_lead_minutes, 0.5),
                "p95_minutes": percentile_cont(self.speed_to_lead_minutes, 0.95),
                "share_within_1h": (
                    sum(m <= 60 for m in self.speed_to_lead_minutes)
                    / len(self.speed_to_lead_minutes)
                )
                if self.speed_to_lead_minutes
                else None,
            },
            "lead_sla": {
                "handovers_decided": self.sla_decided,
                "met": self.sla_met,
                "compliance": self.sla_met / self.sla_decided if self.sla_decided else None,
            },
            "recycling": dict(sorted(self.recycle.items())),
            "opportunities": self._opportunity_figures(),
            "people_per_stage_by_day": self._days_json(stage_names),
            "campaign_reach": {k: dict(sorted(v.items())) for k, v in sorted(self.reach.items())},
            "people_reaching_stage_by_source_campaign": {
                k: dict(sorted(v.items())) for k, v in sorted(self.stages_by_source.items())
            },
            "customer_expansion": {
                month: {
                    "accounts": c["accounts"],
                    "churned": c["churned"],
                    "new_business_usd": round(c["new_business_usd"], 2),
                    "upsell_usd": round(c["upsell_usd"], 2),
                    "cross_sell_usd": round(c["cross_sell_usd"], 2),
                }
                for month, c in sorted(self.expansion.items())
            },
            "expected_rejects": self.rejects,
        }

    def _opportunity_figures(self) -> dict:
        kinds = sorted({key.split(":")[0] for key in self.opportunities})
        figures = {}
        for kind in kinds:
            o = self.opportunities
            closed, won = o[f"{kind}:closed"], o[f"{kind}:won"]
            figures[kind] = {
                "won": won,
                "closed": closed,
                "open": o[f"{kind}:open"],
                "win_rate_by_count": won / closed if closed else None,
                "win_rate_by_amount": o[f"{kind}:won_usd"] / o[f"{kind}:closed_usd"]
                if o[f"{kind}:closed_usd"]
                else None,
                "average_deal_usd": round(o[f"{kind}:won_usd"] / won, 2) if won else None,
                "cycle_days_median": percentile_cont(self.won_cycle_days.get(kind, []), 0.5),
                "open_pipeline_usd": round(o[f"{kind}:open_usd"], 2),
            }
        return figures

    def _days_json(self, stage_names: list[str]) -> dict:
        assert self.start is not None
        running: Counter = Counter()
        result = {}
        for day in range(self.days):
            running.update(self.daily.get(day, Counter()))
            date = (self.start + timedelta(days=day)).date().isoformat()
            result[date] = {name: running.get(name, 0) for name in stage_names if name in FUNNEL}
        return result
