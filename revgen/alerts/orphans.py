"""The orphaned-leads alert: counts by reason and team, the oldest orphans, which are new; sent
once per orphan within a quiet period (state in revgen_meta.orphan_alerts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from revgen.db import connect
from revgen.meta import META_DDL

log = logging.getLogger(__name__)
OLDEST_SHOWN = 20


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
        by_reason: dict[str, int] = dict(
            conn.execute(
                "select reason, sum(orphans)::bigint from marts.kpi_orphans_by_reason group by 1 order by 1"
            ).fetchall()
        )
        by_team: dict[str, int] = dict(
            conn.execute(
                "select expected_owner_team, sum(orphans)::bigint from marts.kpi_orphans_by_reason "
                "group by 1 order by 1"
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
    """Alert, by each channel on its own, the orphans that are new to it or that it last alerted
    before the quiet period; orphans no longer orphaned leave the state, so coming back makes
    them new again. A channel that fails is retried next run without the others repeating;
    raises AlertError (secrets masked) after every channel was tried and the state saved."""
    from revgen.alerts.channels import AlertError, deliver, delivery_error

    with connect(url, autocommit=True) as conn:
        conn.execute(META_DDL)
        current: dict[str, str] = dict(
            conn.execute("select person_id, reason from marts.orphaned_leads")
        )
        known = {row[0] for row in conn.execute("select person_id from revgen_meta.orphan_alerts")}
        recent: dict[str, set[str]] = {}
        for person, channel in conn.execute(
            "select person_id, channel from revgen_meta.orphan_alert_deliveries "
            "where last_alerted_at >= now() - make_interval(secs => %s)",
            (quiet_hours * 3600,),
        ):
            recent.setdefault(channel, set()).add(person)
    new = sorted(set(current) - known)
    due = {channel: set(current) - recent.get(channel, set()) for channel in channels.names}
    result: dict = {"orphans": len(current), "new": len(new), "alerted": 0, "channels": []}
    if current and not channels.configured:
        log.warning(
            "%d orphan(s) to alert but no alert channel: add the revgen_smtp or "
            "revgen_webhook Airflow connection",
            len(set(current) - known),
        )
    alerted: set[str] = set()
    failures: list[str] = []
    delivered: dict[str, set[str]] = {}
    if any(due.values()):
        alert = build_orphan_alert(url)
        alert.new = new
        alert.docs = str(docs) if docs else None
        for channel, persons in due.items():
            if not persons:
                continue
            try:
                deliver(channels, channel, alert.subject, alert.text())
            except AlertError as err:
                failures.append(str(err))
                continue
            delivered[channel] = persons
            alerted |= persons
        result["channels"] = sorted(delivered)
        result["alerted"] = len(alerted)
        if alerted:
            log.warning(
                "alerted %d orphan(s) (%d new) by %s",
                len(alerted),
                len(new),
                ", ".join(result["channels"]),
            )
    with connect(url, autocommit=True) as conn, conn.transaction():
        # every check counts its orphans, for the trend (a check with none counts 0)
        conn.execute(
            """
            insert into revgen_meta.orphan_history (checked_at, as_of, reason, orphans)
            select now(), max(as_of), reason, sum(orphans)
            from marts.kpi_orphans_by_reason group by reason
            union all
            select now(), null, 'none', 0
            where not exists (select 1 from marts.kpi_orphans_by_reason)
        """
        )
        gone = list(current)
        conn.execute(
            "delete from revgen_meta.orphan_alerts where not (person_id = any(%s))", (gone,)
        )
        conn.execute(
            "delete from revgen_meta.orphan_alert_deliveries where not (person_id = any(%s))",
            (gone,),
        )
        for person, reason in current.items():
            conn.execute(
                """
                insert into revgen_meta.orphan_alerts (person_id, reason, first_seen_at,
                                                       last_alerted_at)
                values (%s, %s, now(), case when %s then now() end)
                on conflict (person_id) do update set reason = excluded.reason,
                    last_alerted_at = case when %s then now()
                                           else revgen_meta.orphan_alerts.last_alerted_at end
            """,
                (person, reason, person in alerted, person in alerted),
            )
        for channel, persons in delivered.items():
            conn.execute(
                """
                insert into revgen_meta.orphan_alert_deliveries (person_id, channel, last_alerted_at)
                select person_id, %s, now() from unnest(%s::text[]) as person_id
                on conflict (person_id, channel) do update set last_alerted_at = now()
            """,
                (channel, sorted(persons)),
            )
    if failures:
        raise delivery_error(failures, delivered)
    return result
