"""The funnel report: one self-contained HTML page (inline CSS and SVG charts, nothing fetched)
written after every run, for managers who would rather look than read. Every figure is read from
a mart (revgen/report/marts.py); the page is the template templates/report.html.j2 (autoescaped).
Numbers that tests compare with the marts carry a data-kpi attribute."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from revgen.config import paths
from revgen.db import connect
from revgen.policy import Report, load_policy
from revgen.report import marts
from revgen.report.charts import BAD, GOOD, MUTED, hbar, line, lines

TEMPLATES = Path(__file__).parent / "templates"
NOT_MEASURABLE = "not measurable"


def read_report_data(url: str) -> dict:
    with connect(url) as conn:
        data: dict[str, Any] = marts.read(
            conn, [name for name in marts.QUERIES if name != "orphan_trend"]
        )
        # the trend is the checks' own record: none before the first orphan check
        has_trend = conn.execute("select to_regclass('revgen_meta.orphan_trend')").fetchone()
        data["orphan_trend"] = (
            marts.read(conn, ["orphan_trend"])["orphan_trend"] if has_trend and has_trend[0] else []
        )
    data["headlines"] = marts.headlines(data["headlines"])
    as_of = [row["as_of"] for row in data["headlines"].values() if row["as_of"]]
    data["as_of"] = as_of[0] if as_of else None
    return data


# formatting: None is "n/a" (no such figure, e.g. the last stage's conversion) unless the caller
# says it means "not measurable" (a figure the exports hold no basis for)
def pct(value, none: str = "n/a") -> str:
    return none if value is None else f"{float(value):.1%}"


def money(value, none: str = "n/a") -> str:
    return none if value is None else f"${float(value):,.0f}"


def ratio(value, none: str = "n/a") -> str:
    return none if value is None else f"{float(value):.2f}"


def number(value, none: str = "n/a") -> str:
    return none if value is None else f"{float(value):,.0f}"


def hours(value, none: str = NOT_MEASURABLE) -> str:
    """A duration in hours as a person reads it: minutes under an hour, hours under two days,
    else days."""
    if value is None:
        return none
    value = float(value)
    if value < 1:
        return f"{value * 60:,.0f} min"
    if value < 48:
        return f"{value:,.1f} h"
    return f"{value / 24:,.1f} d"


def days(value, none: str = NOT_MEASURABLE) -> str:
    return hours(None if value is None else float(value) * 24, none)


def minutes(value, none: str = NOT_MEASURABLE) -> str:
    return hours(None if value is None else float(value) / 60, none)


def change(value) -> str:
    """A change as a signed percentage; one under half a percent either way reads 0% (not -0%)."""
    if value is None:
        return "n/a"
    return "0%" if abs(float(value)) < 0.005 else f"{float(value):+.0%}"


def mark(flag) -> Markup:
    if flag is None:
        return Markup('<span class="muted">no target</span>')
    return Markup(
        '<span class="good">&#10004; on target</span>'
        if flag
        else '<span class="bad">&#10008; off target</span>'
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for name, function in {
        "pct": pct,
        "money": money,
        "ratio": ratio,
        "number": number,
        "hours": hours,
        "days": days,
        "minutes": minutes,
        "change": change,
        "mark": mark,
    }.items():
        env.filters[name] = function
        env.globals[name] = function
    return env


def _record_link(row: dict, report: Report) -> str | None:
    """The CRM link of an orphan: its opportunity, else its lead, else its contact."""
    contact = row["person_id"] if ":" not in row["person_id"] else None
    for kind, record_id in (
        ("opportunity", row.get("opportunity_id")),
        ("lead", row.get("lead_id")),
        ("contact", contact),
    ):
        link = report.record_url(kind, record_id)
        if link:
            return link
    return None


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, date | datetime) else str(value)


def _charts(data: dict) -> dict[str, Markup]:
    """The inline SVG charts (their text escaped by revgen.report.charts)."""
    conversion = data["conversion"]
    weekly: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in data["entries_by_week"]:
        weekly[row["stage_name"]].append((_day(row["week_start"]), float(row["people_entered"])))
    waste = {
        kind: [
            (row["label"], float(row["wasted_usd"] or 0), money(row["wasted_usd"]))
            for row in data["waste"]
            if row["breakdown"] == kind
        ]
        for kind in ("rep", "source_channel")
    }
    charts = {
        "waterfall": hbar(
            [
                (
                    row["from_stage"],
                    row["people_entered"],
                    f"{row['people_entered']:,} reached → {row['people_converted']:,} "
                    f"went on ({pct(row['conversion_rate'])})",
                )
                for row in conversion
            ],
            width=900,
        ),
        "velocity": hbar(
            [
                (
                    f"{row['from_stage']} → {row['to_stage']}",
                    float(row["velocity_days_median"] or 0),
                    f"median {days(row['velocity_days_median'])}, "
                    f"p90 {days(row['velocity_days_p90'])}",
                )
                for row in conversion
            ]
        ),
        "entries": lines(dict(weekly)),
        "roi": hbar(
            [
                (
                    row["channel"],
                    float(row["w_shaped_revenue_usd"] or 0),
                    f"{money(row['w_shaped_revenue_usd'])} on {money(row['spend_usd'])}, ROI "
                    f"{ratio(row['w_shaped_roi'], NOT_MEASURABLE)}",
                )
                for row in data["channels"]
            ]
        ),
        "waste_rep": hbar(waste["rep"][:15], color=BAD),
        "waste_source": hbar(waste["source_channel"], color=BAD),
        "orphan_reasons": hbar(
            [
                (
                    f"{row['reason']} ({row['expected_owner_team'] or 'no team'})",
                    row["orphans"],
                    f"{row['orphans']:,}",
                )
                for row in data["orphans_by_reason"]
            ],
            color=BAD,
        ),
        "orphan_trend": line(
            [
                (_day(row["as_of"] or row["checked_at"]), float(row["orphans"]))
                for row in data["orphan_trend"]
            ],
            width=500,
        ),
    }
    return {name: Markup(svg) for name, svg in charts.items()}


def _grid(rows: list[dict], row_key: str, column_key: str) -> tuple[list, list, dict]:
    """Rows, columns (in the order the mart gives them) and {(row, column): row} of a grid."""
    row_names = list(dict.fromkeys(row[row_key] for row in rows))
    column_names = list(dict.fromkeys(row[column_key] for row in rows))
    return row_names, column_names, {(row[row_key], row[column_key]): row for row in rows}


def render(data: dict, report: Report | None = None) -> str:
    report = report or Report()
    oldest_orphans = [{**row, "link": _record_link(row, report)} for row in data["orphans"]]
    stages = [row["stage_name"] for row in data["volume"]]
    cost_channels, _, cost_grid = _grid(data["cost"], "channel", "stage_name")
    cohort_stages, cohort_months, cohorts = _grid(data["cohorts"], "from_stage", "cohort_month")
    _, weeks, entries = _grid(data["entries_by_week"], "stage_name", "week_start")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            **data,
            as_of_text=data["as_of"].isoformat() if data["as_of"] else "n/a",
            volume_by_stage={row["stage_name"]: row["people"] for row in data["volume"]},
            conversion_by_stage={row["from_stage"]: row for row in data["conversion"]},
            stages=stages,
            oldest_orphans=oldest_orphans,
            cost_channels=cost_channels,
            cost_grid=cost_grid,
            cohort_stages=cohort_stages,
            cohort_months=cohort_months,
            cohort_grid=cohorts,
            weeks=weeks,
            entry_grid=entries,
            charts=_charts(data),
            day=_day,
            colors={"good": GOOD, "bad": BAD, "muted": MUTED},
            not_measurable=NOT_MEASURABLE,
        )
    )


def write_report(url: str, out_dir: Path | None = None, report: Report | None = None) -> Path:
    """Write the report for the warehouse's current marts; returns its path (latest.html too).
    The CRM links come from the policy file's report.record_urls."""
    data = read_report_data(url)
    out_dir = out_dir or paths().reports
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = data["as_of"].strftime("%Y-%m-%d") if isinstance(data["as_of"], datetime) else "latest"
    html = render(data, report or load_policy().report)
    path = out_dir / f"funnel-{stamp}.html"
    path.write_text(html)
    (out_dir / "latest.html").write_text(html)
    return path


def shown_kpis(html: str) -> dict[str, str]:
    """The data-kpi figures of a rendered report (what the tests compare with the marts)."""
    return {
        key: re.sub(r"<[^>]+>", "", value).strip()
        for key, value in re.findall(r'data-kpi="([^"]+)">(.*?)</', html)
    }
