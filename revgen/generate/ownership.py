"""The ownership invariant, as the generator sees it: why a person is an orphan (or not) when the
period ends, judged where their story stops (a sales owner, or a marketing nurture program)."""

from __future__ import annotations

from datetime import datetime

from revgen.generate.state import Company, Person, User


def judge(
    c: Company,
    p: Person,
    team: str,
    owner: User | None,
    last_touch: datetime | None,
    handed_at: datetime | None,
    accepted_at: datetime | None,
    check_stale: bool = True,
) -> None:
    reason = None
    if owner is None:
        reason = "no_owner"
    elif not owner.active_at(c.as_of):
        reason = "owner_inactive"
    elif owner.team != team:
        reason = "team_mismatch"
    elif handed_at is not None and accepted_at is None:
        if c.as_of - handed_at > c.sla:
            reason = "sla_breached"
    elif check_stale and (last_touch is None or c.as_of - last_touch > c.stale):
        reason = "stale"
    p.journey.orphan_reason = reason


def judge_nurture(c: Company, p: Person, contact: dict) -> None:
    program = contact["nurture_program_id"]
    if program is None:
        p.journey.orphan_reason = "no_owner"
    elif not c.programs[program]:
        p.journey.orphan_reason = "owner_inactive"
    else:
        p.journey.orphan_reason = None
