"""Searching the audit log (the audit page, supervisors' and admins' view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from toex.ops.db import OpsStore
from toex.ops.models import AuditEntry


@dataclass(frozen=True)
class AuditQuery:
    """Filters for the audit search page (all optional; organisation limits supervisors)."""

    username: str = ""
    action: str = ""
    text: str = ""
    organisation: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 200

    def described(self) -> dict[str, object]:
        """The filters that are set, for the audit entry recording the search."""
        shown = {
            "username": self.username,
            "action": self.action,
            "text": self.text,
            "organisation": self.organisation,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in shown.items() if v}


def _query_sql(q: AuditQuery) -> Select[Any]:
    stmt = select(AuditEntry)
    if q.username:
        stmt = stmt.where(AuditEntry.username == q.username)
    if q.action:
        stmt = stmt.where(AuditEntry.action == q.action)
    if q.organisation:
        stmt = stmt.where(AuditEntry.organisation == q.organisation)
    if q.text:
        like = f"%{q.text.lower()}%"
        stmt = stmt.where(
            func.lower(AuditEntry.target).like(like) | func.lower(AuditEntry.purpose).like(like)
        )
    if q.since:
        stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(q.since, dt.time(), dt.UTC))
    if q.until:
        stmt = stmt.where(
            AuditEntry.at < dt.datetime.combine(q.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    return stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(q.limit, 1000)))


def search_entries(store: OpsStore, q: AuditQuery) -> Sequence[AuditEntry]:
    """Entries matching ``q``, newest first."""
    with store.session() as session:
        entries: Sequence[AuditEntry] = session.scalars(_query_sql(q)).all()
        return entries
