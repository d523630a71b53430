"""The audit log: who opened which transcript, and what they did, for admins to read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from bot.staff.accounts import StaffMember
from bot.store.models import AuditEntry, StaffUser, utcnow

audit_log = AuditEntry.__table__
staff_users = StaffUser.__table__


def record(
    connection: Connection,
    member: StaffMember,
    action: str,
    ticket_id: int | None = None,
    detail: str | None = None,
) -> None:
    connection.execute(
        insert(audit_log).values(
            staff_user_id=member.id,
            staff_email=member.email,
            action=action,
            ticket_id=ticket_id,
            detail=(detail or None) and detail[:200],
            created_at=utcnow(),
        )
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: dt.datetime
    email: str
    action: str
    ticket_id: int | None
    detail: str | None
    name: str = ""  # the person's name now; the address is kept for a deleted account

    @property
    def who(self) -> str:
        return self.name or self.email


def latest(
    connection: Connection, limit: int = 500, ticket_id: int | None = None
) -> list[AuditLine]:
    query = (
        select(audit_log, staff_users.c.name)
        .select_from(
            audit_log.outerjoin(staff_users, staff_users.c.id == audit_log.c.staff_user_id)
        )
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    if ticket_id is not None:
        query = query.where(audit_log.c.ticket_id == ticket_id)
    return [
        AuditLine(
            row.created_at, row.staff_email, row.action, row.ticket_id, row.detail, row.name or ""
        )
        for row in connection.execute(query)
    ]
