"""Same / not-the-same decisions as the web app records and shows them.

Recording and listing are :mod:`toex.ops.decisions` (the resolve stage's store of analyst
decisions). That store writes the decision's one audit entry in the same transaction; the
web app passes it the user's organisation, client address and stated purpose and writes no
entry of its own. The web app adds the one rule that is its business: a decision is shown
only when both of its mentions are visible to the user, so a decision never discloses a
hidden mention.
"""

from __future__ import annotations

from collections.abc import Sequence

from toex.errors import InputError
from toex.ops.db import OpsStore
from toex.ops.decisions import Decision, decisions_for
from toex.ops.decisions import record_decision as ops_record_decision

MIN_REASON = 5


def record_decision(
    store: OpsStore,
    *,
    mention_a: str,
    mention_b: str,
    same: bool,
    reason: str,
    decided_by: str,
    organisation: str,
    client: str,
    purpose: str,
    context: dict[str, object] | None = None,
) -> int:
    """Record a decision (audited once, in the same transaction) and return its id;
    :class:`InputError` for a short reason."""
    if len(reason.strip()) < MIN_REASON:
        raise InputError(f"give a reason of at least {MIN_REASON} characters")
    decision = ops_record_decision(
        store,
        mention_a,
        mention_b,
        same=same,
        reason=reason,
        decided_by=decided_by,
        organisation=organisation,
        client=client,
        purpose=purpose,
        context=context,
    )
    return decision.id


def decisions_touching(store: OpsStore, mention_ids: list[str]) -> list[Decision]:
    """Decisions (newest first, revoked ones too) with either end among ``mention_ids``.

    Callers must drop decisions whose other end the user may not see
    (:func:`visible_decisions`).
    """
    return sorted(
        decisions_for(store, mention_ids, include_revoked=True), key=lambda d: d.id, reverse=True
    )


def visible_decisions(decisions: Sequence[Decision], visible: set[str]) -> list[Decision]:
    """The decisions both of whose mentions are in ``visible``."""
    return [d for d in decisions if d.mention_a in visible and d.mention_b in visible]
