"""The short funnel summary printed after a run: people per stage, conversions, orphans, loads."""

from __future__ import annotations

from psycopg import sql

from revgen.contract import STREAMS
from revgen.db import connect
from revgen.report import marts


def reject_counts(conn) -> tuple[int, int]:
    """Rejected rows still open, and those a later load has since accepted (resolved)."""
    row = conn.execute(
        "select count(*) filter (where resolved_at is null), "
        "count(*) filter (where resolved_at is not null) from revgen_meta.rejects"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _count(conn, schema: str, table: str) -> int:
    row = conn.execute(
        sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
    ).fetchone()
    return int(row[0]) if row else 0


def read_summary(url: str) -> dict:
    """The figures the summary prints, read by the same queries as the HTML report's."""
    with connect(url) as conn:
        figures = marts.read(
            conn, ["volume", "conversion", "headlines", "orphans_by_reason", "unmeasurable"]
        )
        raw_rows = sum(_count(conn, stream.schema, stream.name) for stream in STREAMS)
        rejected = reject_counts(conn)
    headlines = marts.headlines(figures["headlines"])
    as_of = next((row["as_of"] for row in headlines.values() if row["as_of"]), None)
    spend = figures["unmeasurable"][0] if figures["unmeasurable"] else {}

    def headline(metric: str) -> float | None:
        value = headlines.get(metric, {}).get("value")
        return None if value is None else float(value)

    return {
        "as_of": as_of.isoformat() if as_of else None,
        # awareness and preference are measured per campaign (anonymous reach), not per person
        "people_per_stage": {row["stage_name"]: int(row["people"]) for row in figures["volume"]},
        "conversions": [
            {
                "from": row["from_stage"],
                "to": row["to_stage"],
                "people_in": int(row["people_entered"]),
                "converted": int(row["people_converted"]),
                "rate": None if row["conversion_rate"] is None else float(row["conversion_rate"]),
            }
            for row in figures["conversion"]
        ],
        "orphans": int(headline("orphans") or 0),
        "orphans_by_reason": {
            f"{row['reason']} ({row['expected_owner_team'] or 'no team'})": int(row["orphans"])
            for row in figures["orphans_by_reason"]
        },
        "awareness": {
            "anonymous_touches": int(headline("anonymous_touches") or 0),
            "campaigns": int(headline("campaigns") or 0),
            "unmeasurable_spend_usd": float(spend.get("unmeasurable_spend_usd") or 0),
            "spend_usd": float(spend.get("total_spend_usd") or 0),
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
    lines += ["", f"Orphaned leads: {summary['orphans']:,}"]
    width = max((len(reason) for reason in orphans), default=0)
    lines += [f"  {reason:<{width}} {count:>6,}" for reason, count in orphans.items()]
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
