"""CSV import of tracker records: row accounting, bad rows named by row and field, re-import
changes nothing, every write audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from toex.errors import InputError
from toex.ops.audit import verify_chain
from toex.ops.models import AuditEntry
from toex.ops.tracker_import import import_text
from toex.ops.tracker_models import (
    TrackerAar,
    TrackerDisruption,
    TrackerOperation,
    TrackerOutcome,
    TrackerReferral,
    TrackerRequest,
)
from toex.ops.tracker_queries import get_operation
from toex.ops.tracker_store import Actor, save_records

from .tracker_support import ACTOR, load_history, open_test_store, rules

TODAY = dt.date(2025, 12, 31)
OPS_HEADER = (
    "reference,name,lead_force,forces,soc_master_list,supported,exploitation_types,"
    "geographic_scale,status,opened_on,closed_on,identified_on,scored_on,top10_on,"
    "linked_persons,linked_networks"
)
GOOD_OPS = [
    "OP/1,Op Alder,essex,norfolk,yes,yes,Adult Sexual Exploitation,"
    "multi_force_within_region,open,2025-01-10,,2025-01-12,2025-03-01,,P-1;P-2,N-9",
    "OP/2,Op Birch,Greater Manchester,,no,no,child_criminal_exploitation;other,"
    "force,closed,2025-02-01,2025-09-30,2025-02-03,,,,",
]
# Each bad row: (line, field it must be rejected on, reason code).
BAD_OPS = [
    ("OP/3,,essex,,yes,yes,other,force,open,2025-01-01,,,,,,", "name", "missing_required"),
    ("OP/4,Op C,essex,,yes,yes,other,force,open,2025-13-01,,,,,,", "opened_on", "bad_date"),
    ("OP/5,Op D,kent,,yes,yes,other,force,open,2025-01-01,,,,,,", "lead_force", "unknown_force"),
    (
        "OP/6,Op E,essex,,yes,yes,piracy,force,open,2025-01-01,,,,,,",
        "exploitation_types",
        "unknown_code",
    ),
    (
        "OP/7,Op F,essex,,yes,yes,other,galactic,open,2025-01-01,,,,,,",
        "geographic_scale",
        "unknown_code",
    ),
    (
        "OP/8,Op G,essex,,maybe,yes,other,force,open,2025-01-01,,,,,,",
        "soc_master_list",
        "bad_boolean",
    ),
    (
        "OP/9,Op H,essex,,yes,yes,other,force,closed,2025-05-01,2025-04-01,,,,,",
        "closed_on",
        "date_order",
    ),
    ("OP/10,Op I,essex,,yes,yes,other,force,open,2026-03-01,,,,,,", "opened_on", "future_date"),
    (
        "OP/11,Op J,essex,,yes,yes,other,force,closed,2025-01-01,,,,,,",
        "closed_on",
        "inconsistent_status",
    ),
    (
        "OP/12,Op K,essex,,yes,yes,other,force,open,2025-01-01,,,,,bad id!,",
        "linked_persons",
        "bad_id",
    ),
    ("OP/13,Op L,essex,,yes,yes,other,force,open,2025-01-01", "*", "field_count"),
    (
        "OP/1,Op Alder again,essex,,yes,yes,other,force,open,2025-01-01,,,,,,",
        "reference",
        "duplicate_reference",
    ),
    (
        "OP/14,Op M,essex,,yes,yes,other,force,open,2025-01-01,,,2025-02-01,,,",
        "identified_on",
        "missing_required",
    ),
]
DIS_HEADER = "reference,operation_reference,disruption_date,category,impact,significant,summary"
GOOD_DIS = ["D/1,OP/1,2025-06-01,pursue,major,yes,arrests"]
BAD_DIS = [
    ("D/2,OP/99,2025-06-01,pursue,major,yes,", "operation_reference", "unknown_operation"),
    ("D/3,OP/1,2024-06-01,pursue,major,yes,", "disruption_date", "date_order"),
    ("D/4,OP/1,2025-06-01,pursuit,major,yes,", "category", "unknown_code"),
    ("D/5,OP/1,2025-06-01,pursue,huge,yes,", "impact", "unknown_code"),
]
OUT_HEADER = "reference,operation_reference,kind,recorded_on,count,pending"
GOOD_OUT = ["O/1,OP/1,people_safeguarded,2025-07-01,3,no"]
BAD_OUT = [
    ("O/2,OP/1,people_safeguarded,2025-07-01,-2,no", "count", "bad_count"),
    ("O/3,OP/1,people_safeguarded,2025-07-01,lots,no", "count", "bad_count"),
]


def _csv(header: str, good: list[str], bad: list[tuple[str, str, str]]) -> tuple[str, dict]:
    """Good rows first, then the bad ones; returns the text and bad row number -> case."""
    lines = [header, *good, *(b[0] for b in bad)]
    return "\n".join(lines) + "\n", {len(good) + i + 1: b for i, b in enumerate(bad)}


def _counts(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with store.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (TrackerOperation, TrackerAar, TrackerDisruption, TrackerOutcome)
        } | {"audit": s.scalar(select(func.count()).select_from(AuditEntry))}


def test_bad_rows_named_by_row_and_field_good_rows_kept_reimport_no_op(
    ops_url: str, tmp_path: Path
) -> None:
    store = open_test_store(ops_url, tmp_path)
    try:
        reasons: set[tuple[str, str]] = set()
        for kind, header, good, bad in (
            ("operations", OPS_HEADER, GOOD_OPS, BAD_OPS),
            ("disruptions", DIS_HEADER, GOOD_DIS, BAD_DIS),
            ("outcomes", OUT_HEADER, GOOD_OUT, BAD_OUT),
        ):
            text, expected = _csv(header, good, bad)
            report = import_text(store, kind, text, ACTOR, rules(TODAY))
            assert report.accounted
            assert report.rows_read == len(good) + len(bad)
            assert report.inserted == len(good)
            got = {r.row: r for r in report.rejected}
            assert set(got) == set(expected), kind
            for row, (_line, field, reason) in expected.items():
                problems = {(p.field, p.reason) for p in got[row].problems}
                assert (field, reason) in problems, (kind, row, got[row].message)
                assert f"row {row}, field {field}" in got[row].message
                reasons.add((field, reason))
            again = import_text(store, kind, text, ACTOR, rules(TODAY))
            assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(good))
            assert again.audit_id is None
        assert len({r for _f, r in reasons}) >= 10
        op = get_operation(store, "OP/1")
        assert [f.force_code for f in op.operation.forces] == ["essex", "norfolk"]
        assert sorted((lk.kind, lk.stable_id) for lk in op.operation.links) == [
            ("network", "N-9"),
            ("person", "P-1"),
            ("person", "P-2"),
        ]
        assert [t.exploitation_type for t in op.operation.types] == ["adult_sexual_exploitation"]
        assert op.first_significant == dt.date(2025, 6, 1)
        assert verify_chain(store).ok
    finally:
        store.dispose()


def test_changed_row_updates_and_is_audited(ops_url: str, tmp_path: Path) -> None:
    store = open_test_store(ops_url, tmp_path)
    try:
        import_text(store, "operations", "\n".join([OPS_HEADER, *GOOD_OPS]), ACTOR, rules(TODAY))
        before = _counts(store)
        changed = GOOD_OPS[1].replace("force,closed", "multi_force_outside_region,closed")
        changed = changed.replace(",,no,no,", ",lancs;essex,no,no,")
        report = import_text(
            store, "operations", "\n".join([OPS_HEADER, changed]), ACTOR, rules(TODAY)
        )
        assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
        after = _counts(store)
        assert after["audit"] == before["audit"] + 1
        op = get_operation(store, "OP/2").operation
        assert op.geographic_scale == "multi_force_outside_region"
        assert [f.force_code for f in op.forces] == ["essex", "gmp", "lancs"]
        with store.session() as s:
            entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "tracker_write"
        assert entry.detail["updated"] == ["OP/2"] and entry.username == ACTOR.username
    finally:
        store.dispose()


def test_missing_columns_and_unknown_file_refused(tmp_path: Path) -> None:
    store = open_test_store(f"sqlite:///{tmp_path / 'ops.sqlite'}", tmp_path)
    try:
        with pytest.raises(InputError, match="lacks the column"):
            import_text(store, "aars", "reference,aar_date\nA/1,2025-01-01\n", ACTOR, rules(TODAY))
        with pytest.raises(InputError, match="empty"):
            import_text(store, "aars", "", ACTOR, rules(TODAY))
    finally:
        store.dispose()


def test_synthetic_history_imports_cleanly_and_reimport_changes_nothing(
    ops_url: str, tmp_path: Path, tiny_synth: Path
) -> None:
    store = open_test_store(ops_url, tmp_path)
    try:
        first = load_history(store, tiny_synth)
        assert [r.kind for r in first] == [
            "operations",
            "aars",
            "disruptions",
            "referrals",
            "outcomes",
            "requests",
        ]
        assert all(r.accounted and not r.rejected and r.inserted == r.rows_read for r in first)
        assert first[0].rows_read >= 150
        counts = _counts(store)
        second = load_history(store, tiny_synth)
        assert all(r.unchanged == r.rows_read and r.audit_id is None for r in second)
        assert _counts(store) == counts
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(TrackerReferral)) == first[3].rows_read
            assert s.scalar(select(func.count()).select_from(TrackerRequest)) == first[5].rows_read
    finally:
        store.dispose()


def test_form_save_goes_through_the_same_rules(tmp_path: Path) -> None:
    store = open_test_store(f"sqlite:///{tmp_path / 'ops.sqlite'}", tmp_path)
    try:
        import_text(store, "operations", "\n".join([OPS_HEADER, *GOOD_OPS]), ACTOR, rules(TODAY))
        text = "\n".join(
            [
                "reference,operation_reference,aar_date,threat_types,summary",
                "A/1,OP/1,2025-03-03,Adult Sexual Exploitation;Child Criminal Exploitation,x",
            ]
        )
        report = import_text(store, "aars", text, Actor("ann", source="form"), rules(TODAY))
        assert report.inserted == 1
        # the same record saved again through save_records changes nothing
        rec = {
            "reference": "A/1",
            "operation_reference": "OP/1",
            "aar_date": dt.date(2025, 3, 3),
            "threat_types": ("adult_sexual_exploitation", "child_criminal_exploitation"),
            "summary": "x",
        }
        assert save_records(store, "aars", [rec], ACTOR).unchanged == ["A/1"]
    finally:
        store.dispose()
