"""Analyst match decisions: record, revoke and list them.

A decision says two person mentions are (or are not) the same person, with who, when and
why. Active decisions override the resolution model on every run; revoking one restores the
model's view. A new decision on a pair supersedes (revokes) the pair's active one. Each
decision and revocation is written to the audit log in the same transaction, once: callers
(the CLI, the web app) pass who is asking and why, and add no entry of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from toex.errors import InputError, NotFoundError
from toex.ops.audit import append_entry, claim_head, write_entry
from toex.ops.db import OpsStore
from toex.ops.models import MatchDecision, utcnow


@dataclass(frozen=True)
class Decision:
    """A match decision as plain data."""

    id: int
    mention_a: str
    mention_b: str
    same: bool
    reason: str
    decided_by: str
    decided_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        """Whether the decision still overrides the model."""
        return self.revoked_at is None


def _view(d: MatchDecision) -> Decision:
    return Decision(
        d.id,
        d.mention_a,
        d.mention_b,
        d.same,
        d.reason,
        d.decided_by,
        d.decided_at,
        d.revoked_at,
        d.revoked_by,
    )


def record_decision(
    store: OpsStore,
    mention_a: str,
    mention_b: str,
    *,
    same: bool,
    reason: str,
    decided_by: str,
    organisation: str = "",
    client: str = "",
    purpose: str = "",
    context: dict[str, object] | None = None,
) -> Decision:
    """Record that two mentions are (``same=True``) or are not the same person.

    The pair is stored in sorted order; an active decision on the same pair is revoked.
    One ``decision`` audit entry is written in the same transaction: target ``a|b``, the
    stated ``purpose`` (the reason when none is stated, as from the CLI), the decider's
    ``organisation`` and ``client`` address, and in its detail the decision id, verdict,
    mentions, reason and any ``context`` (e.g. the person page it was made on).
    Raises :class:`InputError` for a mention paired with itself or an empty reason.
    """
    a, b = sorted((mention_a.strip(), mention_b.strip()))
    if not a or a == b:
        raise InputError(
            f"a decision needs two different mentions, got {mention_a!r} and {mention_b!r}"
        )
    if not reason.strip():
        raise InputError("a decision needs a reason")
    if not decided_by.strip():
        raise InputError("a decision needs the name of who made it")
    with store.session() as session:
        head = claim_head(session)  # first: serialises with every other append
        now = utcnow()
        for old in session.scalars(
            select(MatchDecision).where(
                MatchDecision.mention_a == a,
                MatchDecision.mention_b == b,
                MatchDecision.revoked_at.is_(None),
            )
        ):
            old.revoked_at, old.revoked_by = now, decided_by
        d = MatchDecision(
            mention_a=a,
            mention_b=b,
            same=same,
            reason=reason.strip(),
            decided_by=decided_by,
            decided_at=now,
        )
        session.add(d)
        session.flush()
        write_entry(
            session,
            head,
            username=decided_by,
            action="decision",
            organisation=organisation,
            target=f"{a}|{b}",
            purpose=purpose.strip() or reason,
            detail={
                **(context or {}),
                "decision_id": d.id,
                "same": same,
                "mention_a": a,
                "mention_b": b,
                "reason": reason.strip(),
            },
            client=client,
        )
        session.commit()
        return _view(d)


def revoke_decision(store: OpsStore, decision_id: int, *, revoked_by: str) -> Decision:
    """Revoke a decision so the model's view returns on the next run.

    Raises :class:`NotFoundError` for an unknown or already revoked decision.
    """
    with store.session() as session:
        append_entry(
            session, username=revoked_by, action="decision_revoke", target=str(decision_id)
        )
        d = session.get(MatchDecision, decision_id)
        if d is None or d.revoked_at is not None:
            session.rollback()
            raise NotFoundError(f"no active decision {decision_id}")
        d.revoked_at, d.revoked_by = utcnow(), revoked_by
        session.commit()
        return _view(d)


def active_decisions(store: OpsStore) -> list[Decision]:
    """Every active decision, oldest first."""
    with store.session() as session:
        rows = session.scalars(
            select(MatchDecision)
            .where(MatchDecision.revoked_at.is_(None))
            .order_by(MatchDecision.id)
        )
        return [_view(d) for d in rows]


def decisions_for(
    store: OpsStore, mention_ids: list[str], include_revoked: bool = False
) -> list[Decision]:
    """Decisions naming any of ``mention_ids`` (for the web app's person page)."""
    ids = sorted(set(mention_ids))
    if not ids:
        return []
    with store.session() as session:
        q = select(MatchDecision).where(
            MatchDecision.mention_a.in_(ids) | MatchDecision.mention_b.in_(ids)
        )
        if not include_revoked:
            q = q.where(MatchDecision.revoked_at.is_(None))
        return [_view(d) for d in session.scalars(q.order_by(MatchDecision.id))]


def decision_triples(decisions: list[Decision]) -> list[tuple[str, str, bool]]:
    """Active decisions as ``(mention_a, mention_b, same)`` for the resolver."""
    return [(d.mention_a, d.mention_b, d.same) for d in decisions if d.active]
