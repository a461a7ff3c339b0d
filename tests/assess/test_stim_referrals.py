"""The referral workflow and partner-recorded indicators in the operational store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.errors import AccessDeniedError, InputError, NotFoundError
from toex.ops import open_store
from toex.ops.accounts import create_organisation
from toex.ops.audit import AuditQuery, search_entries, verify_chain
from toex.ops.db import OpsStore
from toex.ops.referrals import (
    Actor,
    CaseSnapshot,
    get_referral,
    indicator_records,
    latest_indicator_rows,
    list_referrals,
    may_step,
    raise_referral,
    record_indicator,
    record_outcome,
    refer,
    triage,
)

ANALYST = Actor("ana", "analyst", "toex-regional")
PARTNER = Actor("pat", "partner", "partner-asw", partner="asw")
OTHER_PARTNER = Actor("oli", "partner", "partner-other", partner="other")
CASE = CaseSnapshot("STIM-A1", "asw", "high", ("A1", "A2"), 5, ("London",), ("Romanian",))


ESSEX = Actor("eve", "analyst", "essex-police")
CAMBS = Actor("cal", "analyst", "cambs-police")
REGIONAL_SUPERVISOR = Actor("sue", "supervisor", "toex-regional")
FORCE_SUPERVISOR = Actor("sid", "supervisor", "cambs-police")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with s.session() as session:
        create_organisation(session, "toex-regional", "Regional unit", "regional")
        create_organisation(session, "essex-police", "Essex Police", "force", "essex")
        create_organisation(session, "cambs-police", "Cambridgeshire", "force", "cambs")
        create_organisation(session, "partner-asw", "Adult services web", "partner", "asw")
        create_organisation(session, "partner-other", "Other website", "partner", "other")
        session.commit()
    yield s
    s.dispose()


def test_full_workflow_each_step_audited(store: OpsStore) -> None:
    ref = raise_referral(store, PARTNER, CASE, "two accounts, male in background")
    assert ref.status == "new"
    triage(store, ANALYST, ref.id, "high", "urgent")
    refer(store, ANALYST, ref.id, "force", "essex")
    done = record_outcome(store, ANALYST, ref.id, "full_adoption", "adopted by Essex")
    assert (done.status, done.outcome, done.referred_to, done.priority) == (
        "outcome",
        "full_adoption",
        "essex",
        "high",
    )
    assert [s.step for s in done.steps] == ["new", "triaged", "referred", "outcome"]
    entries = search_entries(store, AuditQuery(action="referral"))
    assert len(entries) == 4
    assert {s.audit_id for s in done.steps} == {e.id for e in entries}
    assert verify_chain(store).ok


def test_steps_must_follow_the_order(store: OpsStore) -> None:
    ref = raise_referral(store, ANALYST, CASE)
    with pytest.raises(InputError, match="is new; it must be triaged to move to referred"):
        refer(store, ANALYST, ref.id, "force", "essex")
    with pytest.raises(InputError, match="outcome must be one of"):
        record_outcome(store, ANALYST, ref.id, "arrested")
    with pytest.raises(InputError, match="already has open referral"):
        raise_referral(store, ANALYST, CASE)


def test_partners_raise_but_do_not_move_referrals(store: OpsStore) -> None:
    ref = raise_referral(store, PARTNER, CASE)
    with pytest.raises(AccessDeniedError):
        triage(store, PARTNER, ref.id, "low")
    with pytest.raises(AccessDeniedError):
        raise_referral(store, OTHER_PARTNER, CASE)


def test_partner_raised_referrals_are_moved_on_by_the_regional_team(store: OpsStore) -> None:
    """A partner's referral is triaged and referred by the regional organisation; a force
    analyst may not move it on until it is referred to his force, and then only to record
    the outcome; another force's analyst never; a regional supervisor may take any step."""
    ref = raise_referral(store, PARTNER, CASE)
    for actor in (ESSEX, CAMBS, FORCE_SUPERVISOR):
        assert not may_step(store, actor, ref)
        with pytest.raises(AccessDeniedError, match="moved on by its owner organisation"):
            triage(store, actor, ref.id, "high")
    assert may_step(store, ANALYST, ref)
    triage(store, ANALYST, ref.id, "high")
    with pytest.raises(AccessDeniedError):
        refer(store, ESSEX, ref.id, "force", "essex")
    ref = refer(store, ANALYST, ref.id, "force", "essex")
    assert may_step(store, ESSEX, ref) and not may_step(store, CAMBS, ref)
    with pytest.raises(AccessDeniedError):
        record_outcome(store, CAMBS, ref.id, "full_adoption")
    done = record_outcome(store, ESSEX, ref.id, "full_adoption", "adopted")
    assert [(s.step, s.by) for s in done.steps] == [
        ("new", "pat"),
        ("triaged", "ana"),
        ("referred", "ana"),
        ("outcome", "eve"),
    ]
    # Denied steps leave no trace: four steps, four audit entries.
    assert len(search_entries(store, AuditQuery(action="referral"))) == 4
    assert verify_chain(store).ok


def test_police_raised_referrals_are_moved_on_by_the_raising_organisation(
    store: OpsStore,
) -> None:
    ref = raise_referral(store, ESSEX, CASE)
    assert not may_step(store, CAMBS, ref) and not may_step(store, ANALYST, ref)
    with pytest.raises(AccessDeniedError):
        triage(store, ANALYST, ref.id, "low")
    triage(store, ESSEX, ref.id, "low")
    referred = refer(store, REGIONAL_SUPERVISOR, ref.id, "force", "cambs")
    assert referred.status == "referred"
    assert may_step(store, CAMBS, referred)
    assert record_outcome(store, CAMBS, ref.id, "intel_submission").status == "outcome"
    assert not may_step(store, ESSEX, get_referral(store, ref.id))  # nothing left to do


def test_partners_see_only_their_own_referrals(store: OpsStore) -> None:
    mine = raise_referral(store, PARTNER, CASE)
    other = raise_referral(
        store, OTHER_PARTNER, CaseSnapshot("STIM-B1", "other", "low", ("B1",), 1)
    )
    assert [r.id for r in list_referrals(store, PARTNER)] == [mine.id]
    assert [r.id for r in list_referrals(store, OTHER_PARTNER)] == [other.id]
    assert {r.id for r in list_referrals(store, ANALYST)} == {mine.id, other.id}
    with pytest.raises(NotFoundError):
        get_referral(store, other.id, PARTNER)


def test_recorded_indicators_latest_wins_and_is_audited(store: OpsStore) -> None:
    record_indicator(store, PARTNER, "asw", "A1", "customer_flag_underage", True, "reported")
    record_indicator(store, PARTNER, "asw", "A1", "customer_flag_underage", False, "withdrawn")
    record_indicator(store, PARTNER, "asw", "A2", "language_barrier")
    rows = latest_indicator_rows(indicator_records(store, "asw"))
    assert {(r["account_id"], r["indicator"], r["present"]) for r in rows} == {
        ("A1", "customer_flag_underage", False),
        ("A2", "language_barrier", True),
    }
    assert len(search_entries(store, AuditQuery(action="indicator"))) == 3
    with pytest.raises(AccessDeniedError):
        record_indicator(store, PARTNER, "other", "B1", "language_barrier")
    with pytest.raises(InputError, match="indicator must be one of"):
        record_indicator(store, PARTNER, "asw", "A1", "multi_region")
