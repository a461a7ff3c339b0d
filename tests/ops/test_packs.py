"""Published packs and their feedback in the operational store: versions, audit, access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from toex.errors import InputError, NotFoundError
from toex.ops import open_store
from toex.ops.access import AccessScope
from toex.ops.audit import AuditQuery, search_entries, verify_chain
from toex.ops.db import OpsStore
from toex.ops.packs import (
    FeedbackActor,
    NewPack,
    current_pack,
    download_refusal,
    feedback_summaries,
    get_pack,
    list_packs,
    list_refusal,
    next_version,
    record_feedback,
    record_pack,
)

MEETING = dt.date(2026, 1, 9)


def new_pack(version: int = 1, force: str = "cambs", **changes: object) -> NewPack:
    values: dict[str, object] = {
        "force_code": force,
        "meeting_date": MEETING,
        "version": version,
        "snapshot_run_id": "run-1",
        "data_as_of": dt.date(2025, 12, 31),
        "pdf_path": f"/packs/{force}-v{version}.pdf",
        "html_path": f"/packs/{force}-v{version}.html",
        "pdf_sha256": "a" * 64,
        "html_sha256": "b" * 64,
        "pdf_bytes": 100,
        "pages": 12,
        "marking": "OFFICIAL-SENSITIVE",
        "content_forces": [force],
        "handling_codes": ["P"],
        "scope_forces": [force],
        "suspects": [
            {"slot": 1, "person_id": "P1", "label": "Ann ONE"},
            {"slot": 2, "person_id": "P2", "label": "Bob TWO"},
        ],
    }
    values.update(changes)
    return NewPack(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(ops_url: str) -> Iterator[OpsStore]:
    s = open_store(ops_url)
    yield s
    s.dispose()


def test_a_rebuild_adds_a_version_and_supersedes_the_last(store: OpsStore) -> None:
    assert next_version(store, "cambs", MEETING) == 1
    first = record_pack(store, new_pack(1), "cron")
    assert current_pack(store, "cambs", MEETING).id == first.id  # type: ignore[union-attr]
    assert next_version(store, "cambs", MEETING) == 2
    second = record_pack(store, new_pack(2), "cron")
    assert current_pack(store, "cambs", MEETING).id == second.id  # type: ignore[union-attr]
    assert [p.version for p in list_packs(store, ["cambs"])] == [2]
    every = list_packs(store, ["cambs"], include_superseded=True)
    assert [(p.version, p.superseded_at is None) for p in every] == [(2, True), (1, False)]
    entries = search_entries(store, AuditQuery(action="publish"))
    assert [e.target for e in entries] == [
        "pack cambs 2026-01-09 v2",
        "pack cambs 2026-01-09 v1",
    ]
    assert entries[0].username == "cron"
    assert entries[0].detail["pdf_sha256"] == "a" * 64
    assert get_pack(store, second.id).audit_id == entries[0].id
    assert verify_chain(store).ok


def test_the_same_version_twice_is_refused(store: OpsStore) -> None:
    record_pack(store, new_pack(1), "cron")
    with pytest.raises(InputError) as err:
        record_pack(store, new_pack(1), "cron")
    assert str(err.value) == "pack v1 for cambs on 2026-01-09 was recorded by another run"


def test_listing_and_download_rules() -> None:
    pack = record_pack_free()
    cleared = AccessScope(frozenset({"cambs"}), frozenset({"P", "C"}), "SECRET")
    assert list_refusal(cleared, "cambs") is None
    assert download_refusal(cleared, pack) is None
    other = AccessScope(frozenset({"essex"}), frozenset({"P", "C"}), "SECRET")
    assert list_refusal(other, "cambs") == (
        "your organisation has no data-sharing agreement covering cambs"
    )
    assert download_refusal(other, pack) == list_refusal(other, "cambs")
    low = AccessScope(frozenset({"cambs"}), frozenset({"P", "C"}), "OFFICIAL")
    assert download_refusal(low, pack) == (
        "it is marked OFFICIAL-SENSITIVE, above your clearance (OFFICIAL)"
    )
    pack.content_forces = ["cambs", "essex"]
    assert download_refusal(cleared, pack) == (
        "it shows records of essex, which your agreements do not cover"
    )
    pack.content_forces, pack.handling_codes = ["cambs"], ["C", "P"]
    only_p = AccessScope(frozenset({"cambs"}), frozenset({"P"}), "SECRET")
    assert download_refusal(only_p, pack) == (
        "it holds records with handling code C, which you do not hold"
    )


def record_pack_free() -> object:
    from toex.ops.pack_models import PublishedPack

    values = new_pack(1).__dict__
    return PublishedPack(**values)


def test_feedback_is_stored_audited_and_summarised(store: OpsStore) -> None:
    pack = record_pack(store, new_pack(1), "cron")
    other = record_pack(store, new_pack(1, force="essex"), "cron")
    lead = FeedbackActor("lead", "force-cambs", "10.0.0.1")
    record_feedback(
        store,
        pack.id,
        lead,
        5,
        [
            {"slot": 1, "adopted": True, "action": "Adopted by the CSE team; interim SRO"},
            {"slot": 2, "adopted": False, "action": ""},
        ],
        "Suspect 1 was already known to one LPC only.",
    )
    record_feedback(store, pack.id, lead, 3, [{"slot": "2", "adopted": True, "action": "MARAC"}])
    record_feedback(store, other.id, FeedbackActor("e", "force-essex"), 2, [])
    per_force, overall = feedback_summaries(store, ["cambs", "essex"])
    cambs = next(s for s in per_force if s.force_code == "cambs")
    assert (cambs.responses, cambs.mean_usefulness) == (2, 4.0)
    assert (cambs.suspects_answered, cambs.suspects_adopted) == (3, 2)
    assert cambs.adoption_rate == pytest.approx(2 / 3)
    assert sorted(a["action"] for a in cambs.actions) == [
        "Adopted by the CSE team; interim SRO",
        "MARAC",
    ]
    assert all(a["pack_id"] == pack.id for a in cambs.actions)
    assert (overall.responses, overall.packs) == (3, 2)
    assert overall.mean_usefulness == pytest.approx(10 / 3)
    only_cambs, _ = feedback_summaries(store, ["cambs"])
    assert [s.force_code for s in only_cambs] == ["cambs"]
    stored = get_pack(store, pack.id).feedback[0]
    assert stored.suspects[0] == {
        "slot": 1,
        "person_id": "P1",
        "adopted": True,
        "action": "Adopted by the CSE team; interim SRO",
    }
    entries = search_entries(store, AuditQuery(action="feedback"))
    assert len(entries) == 3
    assert entries[-1].target == f"pack {pack.id} (cambs 2026-01-09)"
    assert entries[-1].detail == {"usefulness": 5, "adopted": [1]}
    assert stored.audit_id == entries[-1].id
    assert verify_chain(store).ok


def test_bad_feedback_is_refused_with_its_reason(store: OpsStore) -> None:
    pack = record_pack(store, new_pack(1), "cron")
    lead = FeedbackActor("lead", "force-cambs")
    cases = [
        (0, [], "usefulness must be 1 to 5, not 0"),
        (3, [{"slot": 3, "adopted": True}], f"pack {pack.id} has no suspect profile 3"),
        (3, [{"slot": "x", "adopted": True}], "suspect slot 'x' is not a number"),
        (
            3,
            [{"slot": 1, "adopted": True, "action": "x" * 501}],
            "action for suspect 1 must be at most 500 characters",
        ),
    ]
    for usefulness, suspects, message in cases:
        with pytest.raises(InputError) as err:
            record_feedback(store, pack.id, lead, usefulness, suspects)
        assert str(err.value) == message
    with pytest.raises(NotFoundError, match="no pack 999"):
        record_feedback(store, 999, lead, 3, [])
    assert search_entries(store, AuditQuery(action="feedback")) == []
