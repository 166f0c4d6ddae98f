"""The orphaned-leads alert: counts by reason and team, the oldest orphans, which are new; sent
once per orphan within a quiet period (state in revgen_meta.orphan_alerts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from revgen.db import connect

log = logging.getLogger(__name__)
OLDEST_SHOWN = 20


STATE_DDL = """
create schema if not exists revgen_meta;
create table if not exists revgen_meta.orphan_history (
    checked_at timestamptz not null,
    as_of      timestamptz,
    reason     text not null,
    orphans    bigint not null
);
create table if not exists revgen_meta.orphan_alerts (
    person_id       text primary key,
    reason          text not null,
    first_seen_at   timestamptz not null,
    last_alerted_at timestamptz
)
"""


@dataclass
class OrphanAlert:
    total: int
    by_reason: dict[str, int]
    by_team: dict[str, int]
    oldest: list[dict] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    docs: str | None = None

    @property
    def subject(self) -> str:
        return f"revgen: {self.total} orphaned lead(s), {len(self.new)} new"

    def text(self) -> str:
        lines = [
            f"{self.total} open lead(s) have no active owner of the right team.",
            "New since the last alert: " + (", ".join(self.new) if self.new else "none"),
            "By reason: " + ", ".join(f"{k} {v}" for k, v in self.by_reason.items()),
            "By team: " + ", ".join(f"{k} {v}" for k, v in self.by_team.items()),
            f"Oldest {len(self.oldest)}:",
        ]
        lines += [
            f"  {o['person_id']}  {o['current_stage']:<11} owner {o['owner_id'] or '-':<8} "
            f"{o['reason']:<15} {o['hours_orphaned']} h"
            for o in self.oldest
        ]
        lines.append(
            "Full list: table marts.orphaned_leads"
            + (f"; this run's Data Docs: {self.docs}" if self.docs else "")
            + "."
        )
        return "\n".join(lines)


def build_orphan_alert(url: str) -> OrphanAlert:
    with connect(url) as conn:
        by_reason = dict(
            conn.execute(
                "select reason, count(*) from marts.orphaned_leads group by 1 order by 1"
            ).fetchall()
        )
        by_team = dict(
            conn.execute(
                "select expected_owner_team, count(*) from marts.orphaned_leads group by 1 order by 1"
            ).fetchall()
        )
        cursor = conn.execute(
            "select person_id, current_stage, owner_id, reason, hours_orphaned "
            "from marts.orphaned_leads order by hours_orphaned desc, person_id limit %s",
            (OLDEST_SHOWN,),
        )
        names = [column.name for column in cursor.description or []]
        oldest = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return OrphanAlert(sum(by_reason.values()), by_reason, by_team, oldest)


def alert_new_orphans(url: str, channels, quiet_hours: float, docs=None) -> dict:
    """Send one alert when an orphan is new or was last alerted before the quiet period; orphans
    no longer orphaned leave the state, so coming back makes them new again."""
    from revgen.alerts.channels import send

    with connect(url, autocommit=True) as conn:
        conn.execute(STATE_DDL)
        current = dict(conn.execute("select person_id, reason from marts.orphaned_leads"))
        known = {
            person: alerted
            for person, alerted in conn.execute(
                "select person_id, last_alerted_at from revgen_meta.orphan_alerts"
            )
        }
        due = set(
            conn.execute(
                "select person_id from revgen_meta.orphan_alerts where last_alerted_at is null "
                "or last_alerted_at < now() - make_interval(secs => %s)",
                (quiet_hours * 3600,),
            ).fetchall()
        )
    due_ids = {row[0] for row in due} & set(current)
    new = sorted(set(current) - set(known))
    to_alert = sorted(set(new) | due_ids)
    result = {"orphans": len(current), "new": len(new), "alerted": 0, "channels": []}
    if to_alert and not channels.configured:
        log.warning(
            "%d orphan(s) to alert but no alert channel: add the revgen_smtp or "
            "revgen_webhook Airflow connection",
            len(to_alert),
        )
    elif to_alert:
        alert = build_orphan_alert(url)
        alert.new = new
        alert.docs = str(docs) if docs else None
        result["channels"] = send(channels, alert.subject, alert.text())
        result["alerted"] = len(to_alert)
        log.warning(
            "alerted %d orphan(s) (%d new) by %s",
            len(to_alert),
            len(new),
            ", ".join(result["channels"]),
        )
    with connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute(
            "delete from revgen_meta.orphan_alerts where not (person_id = any(%s))",
            (list(current),),
        )
        for person, reason in current.items():
            alerted = result["alerted"] and person in to_alert
            conn.execute(
                """
                insert into revgen_meta.orphan_alerts (person_id, reason, first_seen_at,
                                                       last_alerted_at)
                values (%s, %s, now(), case when %s then now() end)
                on conflict (person_id) do update set reason = excluded.reason,
                    last_alerted_at = case when %s then now()
                                           else revgen_meta.orphan_alerts.last_alerted_at end
            """,
                (person, reason, bool(alerted), bool(alerted)),
            )
    return result
