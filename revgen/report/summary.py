"""The short funnel summary printed after a run: people per stage, conversions, orphans, loads."""

from __future__ import annotations

from psycopg import sql

from revgen.contract import STREAMS
from revgen.db import connect


def reject_counts(conn) -> tuple[int, int]:
    """Rejected rows still open, and those a later load has since accepted (resolved)."""
    row = conn.execute(
        "select count(*) filter (where resolved_at is null), "
        "count(*) filter (where resolved_at is not null) from revgen_meta.rejects"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def read_summary(url: str) -> dict:
    with connect(url) as conn:
        # awareness and preference are measured per campaign (anonymous reach), not per person
        stages = conn.execute(
            "select stage_name, people from marts.kpi_stage_volume "
            "where is_per_person order by stage_order"
        ).fetchall()
        reach = conn.execute(
            "select (select coalesce(sum(anonymous_touches), 0) from marts.kpi_campaign_attribution),"
            " (select count(*) from marts.kpi_campaign_attribution),"
            " coalesce(unmeasurable_spend_usd, 0), coalesce(total_spend_usd, 0)"
            " from marts.kpi_unmeasurable_spend"
        ).fetchone()
        conversions = conn.execute(
            "select from_stage, to_stage, people_entered, people_converted, conversion_rate "
            "from marts.kpi_stage_conversion order by from_stage_order"
        ).fetchall()
        orphans = conn.execute(
            "select reason, sum(orphans)::bigint from marts.kpi_orphans_by_reason "
            "group by reason order by reason"
        ).fetchall()
        as_of = conn.execute("select max(as_of) from marts.kpi_stage_volume").fetchone()
        raw_rows = sum(
            int(
                conn.execute(
                    sql.SQL("select count(*) from {}").format(
                        sql.Identifier(stream.schema, stream.name)
                    )
                ).fetchone()[0]
            )
            for stream in STREAMS
        )
        rejected = reject_counts(conn)
    return {
        "as_of": as_of[0].isoformat() if as_of and as_of[0] else None,
        "people_per_stage": {name: int(people) for name, people in stages},
        "conversions": [
            {
                "from": f,
                "to": t,
                "people_in": int(n),
                "converted": int(c),
                "rate": float(r) if r is not None else None,
            }
            for f, t, n, c, r in conversions
        ],
        "orphans_by_reason": {reason: int(count) for reason, count in orphans},
        "awareness": {
            "anonymous_touches": int(reach[0]),
            "campaigns": int(reach[1]),
            "unmeasurable_spend_usd": float(reach[2]),
            "spend_usd": float(reach[3]),
        },
        "rows": {
            "raw": raw_rows,
            "rejected": rejected[0],
            "resolved": rejected[1],
        },
    }


def format_summary(summary: dict) -> str:
    lines = [f"Revenue funnel as of {summary['as_of']}", "", "People per stage:"]
    width = (
        max(len(name) for name in summary["people_per_stage"]) if summary["people_per_stage"] else 0
    )
    for name, people in summary["people_per_stage"].items():
        lines.append(f"  {name:<{width}}  {people:>8,}")
    reach = summary["awareness"]
    if reach["campaigns"]:
        lines.append(
            f"  (awareness and preference are measured per campaign: "
            f"{reach['anonymous_touches']:,} anonymous touches across {reach['campaigns']} campaigns)"
        )
    else:
        lines.append("  (awareness and preference: not measurable, the exports hold no campaigns)")
    lines.append("")
    if reach["spend_usd"]:
        share = reach["unmeasurable_spend_usd"] / reach["spend_usd"]
        lines.append(
            f"Spend ${reach['spend_usd']:,.0f}, of which ${reach['unmeasurable_spend_usd']:,.0f} "
            f"({share:.0%}) reached nobody measurable."
        )
    else:
        lines.append("Spend: not measurable (the exports hold no campaign spend).")
    lines += ["", "Conversion (of those who ever reached a stage, share reaching the next):"]
    for item in summary["conversions"]:
        rate = f"{item['rate']:.1%}" if item["rate"] is not None else "n/a"
        lines.append(
            f"  {item['from']:>11} -> {item['to']:<11} {item['converted']:>7,} of "
            f"{item['people_in']:>7,}  {rate:>6}"
        )
    orphans = summary["orphans_by_reason"]
    lines += ["", f"Orphaned leads: {sum(orphans.values()):,}"]
    lines += [f"  {reason:<15} {count:>6,}" for reason, count in orphans.items()]
    rows = summary["rows"]
    lines += [
        "",
        f"Raw tables hold {rows['raw']:,} rows; {rows['rejected']:,} rows were rejected "
        "(revgen_meta.rejects, with file, line, field and reason)"
        + (
            f"; {rows['resolved']:,} earlier rejects were since loaded (resolved)."
            if rows.get("resolved")
            else "."
        ),
    ]
    return "\n".join(lines)
