"""The funnel report: one self-contained HTML page (inline CSS and SVG charts, nothing fetched)
written after every run, for managers who would rather look than read. Numbers that tests compare
with the marts carry a data-kpi attribute."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path

from revgen.config import paths
from revgen.db import connect
from revgen.report.charts import BAD, GOOD, MUTED, hbar, line

CSS = (
    """
body{font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1100px;color:#1f2933;padding:0 16px}
h1{font-size:24px;margin-bottom:0}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e4e7eb}
.sub{color:#616e7c}.tiles{display:flex;gap:12px;flex-wrap:wrap}
.tile{border:1px solid #e4e7eb;border-radius:8px;padding:10px 14px;min-width:150px}
.tile b{display:block;font-size:22px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 10px;border-bottom:1px solid #e4e7eb;
text-align:left}td.n,th.n{text-align:right}.chart text{font-size:12px;fill:#1f2933}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}
"""
    + f".good{{color:{GOOD}}}.bad{{color:{BAD}}}.muted{{color:{MUTED}}}"
)


def _minutes(value) -> str:
    """Minutes as a person reads them, or "not measurable" when there is no basis."""
    return "not measurable" if value is None else f"{float(value):,.0f} min"


def _rows(conn, query: str) -> list[dict]:
    cursor = conn.execute(query)
    names = [column.name for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_report_data(url: str) -> dict:
    with connect(url) as conn:
        return {
            "stages": _rows(
                conn,
                """select v.stage_name, v.people, c.to_stage, c.conversion_rate,
                c.velocity_days_median, c.velocity_days_p90, c.people_entered, c.people_converted
                from marts.kpi_stage_volume v
                left join marts.kpi_stage_conversion c on c.from_stage = v.stage_name
                where v.is_per_person order by v.stage_order""",
            ),
            "as_of": conn.execute("select max(as_of) from marts.kpi_stage_volume").fetchone()[0],
            "speed": _rows(conn, "select * from marts.kpi_speed_to_lead")[0],
            "sla": _rows(conn, "select * from marts.kpi_sla_compliance"),
            "cost": _rows(
                conn,
                """select coalesce(channel, 'unknown') as channel, stage_name,
                sum(spend_usd) / nullif(sum(people_reached_stage), 0) as cost_per_person
                from marts.kpi_cost_per_stage where stage_name in ('lead', 'opportunity', 'customer')
                group by 1, 2, stage_order order by stage_order, 1""",
            ),
            "channels": _rows(conn, "select * from marts.kpi_channel_performance order by channel"),
            "waste_by_rep": _rows(
                conn,
                """select rep_id, rep_name, sum(wasted_usd) as usd,
                sum(wasted_minutes) / 60.0 as hours from marts.kpi_wasted_sales_time
                group by 1, 2 order by usd desc""",
            ),
            "waste_by_source": _rows(
                conn,
                """select source_channel, sum(wasted_usd) as usd
                from marts.kpi_wasted_sales_time group by 1 order by usd desc""",
            ),
            "orphans": _rows(
                conn,
                """select person_id, reason, current_stage, owner_id,
                owner_name, expected_owner_team, hours_orphaned from marts.orphaned_leads
                order by hours_orphaned desc, person_id limit 50""",
            ),
            "orphans_by_reason": _rows(
                conn,
                """select reason, sum(orphans)::bigint as orphans
                from marts.kpi_orphans_by_reason group by 1 order by 2 desc""",
            ),
            "orphan_trend": _rows(
                conn,
                """select checked_at, sum(orphans) as orphans
                from revgen_meta.orphan_history group by checked_at order by checked_at""",
            )
            if conn.execute("select to_regclass('revgen_meta.orphan_history')").fetchone()[0]
            else [],
            "unmeasurable": _rows(conn, "select * from marts.kpi_unmeasurable_spend")[0],
            "policy": _rows(
                conn, "select * from marts.kpi_policy_performance order by stage_order"
            ),
        }


def _pct(value) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def _money(value) -> str:
    return "n/a" if value is None else f"${float(value):,.0f}"


def _ratio(value) -> str:
    return "n/a" if value is None else f"{float(value):.2f}"


def _days(value) -> str:
    return "n/a" if value is None else f"{float(value):.1f} d"


def _mark(flag) -> str:
    if flag is None:
        return '<span class="muted">no target</span>'
    return (
        '<span class="good">&#10004; on target</span>'
        if flag
        else '<span class="bad">&#10008; off target</span>'
    )


def render(data: dict) -> str:
    stages, speed, unmeasurable = data["stages"], data["speed"], data["unmeasurable"]
    total_orphans = sum(r["orphans"] for r in data["orphans_by_reason"])
    total_waste = sum(float(r["usd"]) for r in data["waste_by_rep"])
    waterfall = hbar(
        [
            (
                s["stage_name"],
                s["people"],
                f"{s['people']:,}"
                + (
                    f"  → {_pct(s['conversion_rate'])} reach {s['to_stage']}"
                    if s["to_stage"]
                    else ""
                ),
            )
            for s in stages
        ]
    )
    velocity = hbar(
        [
            (
                f"{s['stage_name']} → {s['to_stage']}",
                float(s["velocity_days_median"] or 0),
                f"median {_days(s['velocity_days_median'])}, p90 {_days(s['velocity_days_p90'])}",
            )
            for s in stages
            if s["to_stage"]
        ]
    )
    people_table = "".join(
        f'<tr><td>{escape(s["stage_name"])}</td><td class="n" data-kpi="people.{s["stage_name"]}">'
        f'{s["people"]:,}</td><td class="n" data-kpi="conversion.{s["stage_name"]}">'
        f"{_pct(s['conversion_rate'])}</td></tr>"
        for s in stages
    )
    sla_tiles = "".join(
        f'<div class="tile">SLA {escape(r["stage_name"])} ({r["sla_hours"]} h)'
        f'<b data-kpi="sla.{r["stage_name"]}">{_pct(r["compliance"])}</b>'
        + (
            f"{r['handovers_met']:,} of {r['handovers_decided']:,} hand-overs</div>"
            if r["compliance"] is not None
            else "not measurable: no acceptance on record</div>"
        )
        for r in data["sla"]
    )
    cost_rows = "".join(
        f"<tr><td>{escape(r['channel'])}</td><td>{escape(r['stage_name'])}</td>"
        f'<td class="n">{_money(r["cost_per_person"])}</td></tr>'
        for r in data["cost"]
    )
    roi = hbar(
        [
            (
                r["channel"],
                float(r["w_shaped_revenue_usd"] or 0),
                f"{_money(r['w_shaped_revenue_usd'])} on {_money(r['spend_usd'])}, ROI "
                f"{_ratio(r['w_shaped_roi'])}",
            )
            for r in data["channels"]
        ]
    )
    roi_table = "".join(
        f'<tr><td>{escape(r["channel"])}</td><td class="n">{_money(r["spend_usd"])}</td>'
        f'<td class="n">{_money(r["first_touch_revenue_usd"])}</td>'
        f'<td class="n">{_money(r["last_touch_revenue_usd"])}</td>'
        f'<td class="n">{_money(r["linear_revenue_usd"])}</td>'
        f'<td class="n">{_money(r["w_shaped_revenue_usd"])}</td>'
        f'<td class="n" data-kpi="roi.{r["channel"]}">'
        f"{_ratio(r['w_shaped_roi'])}</td></tr>"
        for r in data["channels"]
    )
    waste_rep = hbar(
        [
            (
                r["rep_name"] or r["rep_id"],
                float(r["usd"]),
                f"{_money(r['usd'])} ({float(r['hours']):.1f} h)",
            )
            for r in data["waste_by_rep"][:15]
        ],
        color=BAD,
    )
    waste_source = hbar(
        [(r["source_channel"], float(r["usd"]), _money(r["usd"])) for r in data["waste_by_source"]],
        color=BAD,
    )
    trend = line(
        [
            (r["checked_at"].strftime("%Y-%m-%d %H:%M"), float(r["orphans"]))
            for r in data["orphan_trend"]
        ]
    )
    orphan_reasons = hbar(
        [(r["reason"], r["orphans"], f"{r['orphans']:,}") for r in data["orphans_by_reason"]],
        color=BAD,
    )
    orphan_rows = "".join(
        f"<tr><td>{escape(r['person_id'])}</td><td>{escape(r['reason'])}</td>"
        f"<td>{escape(r['current_stage'])}</td><td>{escape(r['owner_name'] or r['owner_id'] or '-')}</td>"
        f'<td>{escape(r["expected_owner_team"] or "")}</td><td class="n">{r["hours_orphaned"]:,}</td></tr>'
        for r in data["orphans"]
    )
    policy_rows = "".join(
        f'<tr><td>{escape(r["stage_name"])}</td><td class="n">{_pct(r["conversion_rate"])}</td>'
        f'<td class="n">{_pct(r["target_conversion"])}</td>'
        f'<td data-kpi="policy.conversion.{r["stage_name"]}">{_mark(r["is_conversion_on_target"])}</td>'
        f'<td class="n">{_days(r["velocity_days_median"])}</td>'
        f'<td class="n">{_days(r["target_velocity_days"])}</td>'
        f"<td>{_mark(r['is_velocity_on_target'])}</td></tr>"
        for r in data["policy"]
        if r["target_conversion"] is not None or r["sla_hours"] is not None
    )
    as_of = data["as_of"].isoformat() if data["as_of"] else "n/a"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>revgen funnel report {escape(as_of)}</title><style>{CSS}</style></head><body>
<h1>Revenue funnel</h1><p class="sub">As of <span data-kpi="as_of">{escape(as_of)}</span>.
Written by revgen after the run; every figure comes from the marts.</p>
<div class="tiles">
<div class="tile">Orphaned leads<b class="bad" data-kpi="orphans.total">{total_orphans:,}</b>owned by nobody</div>
<div class="tile">Speed to lead (median)<b data-kpi="speed.median_minutes">{_minutes(speed["median_minutes"])}</b>
{_pct(speed["share_within_1h"])} within 1 h</div>{sla_tiles}
<div class="tile">Wasted sales time<b class="bad" data-kpi="waste.total_usd">{_money(total_waste)}</b>on unripe people</div>
<div class="tile">Unmeasurable spend<b data-kpi="unmeasurable.share">{_pct(unmeasurable["unmeasurable_share"])}</b>
{_money(unmeasurable["unmeasurable_spend_usd"])} of {_money(unmeasurable["total_spend_usd"])}</div></div>
<h2>Demand waterfall: people per stage and conversion to the next</h2>
<div class="grid"><div>{waterfall}</div><table><tr><th>stage</th><th class="n">people</th>
<th class="n">conversion</th></tr>{people_table}</table></div>
<h2>Velocity per stage</h2>{velocity}
<h2>Against the policy's targets</h2><table><tr><th>stage</th><th class="n">conversion</th>
<th class="n">target</th><th></th><th class="n">median velocity</th><th class="n">target</th><th></th></tr>
{policy_rows}</table>
<h2>Attribution and ROI per channel (W-shaped chart; all four models in the table)</h2>{roi}
<table><tr><th>channel</th><th class="n">spend</th><th class="n">first touch</th>
<th class="n">last touch</th><th class="n">linear</th><th class="n">W-shaped</th><th class="n">ROI (W)</th></tr>
{roi_table}</table>
<h2>Cost per stage by channel</h2><table><tr><th>channel</th><th>stage</th>
<th class="n">spend per person reaching it</th></tr>{cost_rows}</table>
<h2>Wasted sales time in dollars</h2><div class="grid"><div><h3>by rep</h3>{waste_rep}</div>
<div><h3>by source channel</h3>{waste_source}</div></div>
<h2>Orphaned leads</h2><div class="grid"><div><h3>by reason</h3>{orphan_reasons}</div>
<div><h3>trend (each check)</h3>{trend}</div></div>
<h3>The {len(data["orphans"])} oldest (full list: marts.orphaned_leads)</h3>
<table><tr><th>person</th><th>reason</th><th>stage</th><th>last owner</th><th>team</th>
<th class="n">hours orphaned</th></tr>{orphan_rows}</table>
</body></html>"""


def write_report(url: str, out_dir: Path | None = None) -> Path:
    """Write the report for the warehouse's current marts; returns its path (latest.html too)."""
    data = read_report_data(url)
    out_dir = out_dir or paths().reports
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = data["as_of"].strftime("%Y-%m-%d") if isinstance(data["as_of"], datetime) else "latest"
    html = render(data)
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
