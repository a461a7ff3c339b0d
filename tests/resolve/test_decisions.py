"""Analyst decisions in the operational store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from toex.errors import InputError, NotFoundError
from toex.ops import open_store
from toex.ops.decisions import (
    active_decisions,
    decision_triples,
    decisions_for,
    record_decision,
    revoke_decision,
)


def test_record_revoke_and_supersede(ops_url: str) -> None:
    store = open_store(ops_url)
    try:
        d1 = record_decision(store, "M2", "M1", same=False, reason="twins", decided_by="ann")
        assert (d1.mention_a, d1.mention_b, d1.same, d1.active) == ("M1", "M2", False, True)
        d2 = record_decision(
            store, "M1", "M2", same=True, reason="same PNC on custody", decided_by="bob"
        )
        assert [d.id for d in active_decisions(store)] == [d2.id]
        assert decision_triples(active_decisions(store)) == [("M1", "M2", True)]
        assert [d.id for d in decisions_for(store, ["M2"], include_revoked=True)] == [d1.id, d2.id]
        r = revoke_decision(store, d2.id, revoked_by="carol")
        assert r.revoked_by == "carol" and not r.active
        assert active_decisions(store) == []
        with pytest.raises(NotFoundError) as err:
            revoke_decision(store, d2.id, revoked_by="carol")
        assert str(err.value) == f"no active decision {d2.id}"
    finally:
        store.dispose()


def test_bad_decisions_are_refused(ops_url: str) -> None:
    store = open_store(ops_url)
    try:
        with pytest.raises(InputError) as err:
            record_decision(store, "M1", "M1", same=True, reason="x", decided_by="ann")
        assert str(err.value) == "a decision needs two different mentions, got 'M1' and 'M1'"
        with pytest.raises(InputError):
            record_decision(store, "M1", "M2", same=True, reason=" ", decided_by="ann")
        assert active_decisions(store) == []
    finally:
        store.dispose()
