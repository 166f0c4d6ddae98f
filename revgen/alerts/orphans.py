"""Build the orphaned-leads alert from the mart: counts by reason and team, the oldest orphans."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from revgen.db import connect

log = logging.getLogger(__name__)
OLDEST_SHOWN = 20


@dataclass
class OrphanAlert:
    total: int
    by_reason: dict[str, int]
    by_team: dict[str, int]
    oldest: list[dict] = field(default_factory=list)

    def text(self) -> str:
        lines = [
            f"revgen: {self.total} orphaned lead(s): no active owner of the right team.",
            "By reason: " + ", ".join(f"{k} {v}" for k, v in self.by_reason.items()),
            "By team: " + ", ".join(f"{k} {v}" for k, v in self.by_team.items()),
            f"Oldest {len(self.oldest)}:",
        ]
        lines += [
            f"  {o['person_id']}  {o['current_stage']:<11} owner {o['owner_id'] or '-':<8} "
            f"{o['reason']:<15} {o['hours_orphaned']} h"
            for o in self.oldest
        ]
        lines.append("Full list: table marts.orphaned_leads.")
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
