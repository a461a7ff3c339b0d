"""Section builders on the tiny set under a wide scope: each shows only what the scope
covers (checked against the record-by-record oracle), and a section whose tables the
snapshot lacks says it is not available."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from toex.config import load_catalogue
from toex.ops.access import AccessScope
from toex.publish.content import PackContext
from toex.publish.pack import Snapshot
from toex.publish.sections import crossforce, networks, safeguarding

from .oracle import person_records

SCOPE = AccessScope(frozenset({"cambs", "essex", "norfolk"}), frozenset({"P", "C"}), "SECRET")


@pytest.fixture(scope="module")
def snap(tiny_warehouse: Path) -> Iterator[Snapshot]:
    s = Snapshot.open(tiny_warehouse)
    yield s
    s.close()


def context(snap: Snapshot, scope: AccessScope = SCOPE) -> PackContext:
    cat = load_catalogue()
    return PackContext(
        snap.con, cat.force("cambs"), cat, scope, dt.date(2026, 1, 9), snap.as_of, snap.assess
    )


def visible(con: duckdb.DuckDBPyConnection, person_id: str, scope: AccessScope) -> bool:
    return all(
        f in scope.forces and h in scope.handling_codes and c in scope.classifications
        for f, h, c in person_records(con, person_id)
    )


def test_cross_force_persons_are_those_wholly_in_scope(snap: Snapshot) -> None:
    ctx = context(snap)
    section = crossforce.build(ctx)
    con = snap.con.con
    candidates = [
        r[0]
        for r in con.execute(
            "SELECT id FROM link_crossforce "
            "WHERE kind = 'person' AND list_contains(forces, 'cambs')"
        ).fetchall()
    ]
    expected = [p for p in candidates if visible(con, p, SCOPE)]
    assert 0 < len(expected) < len(candidates)
    summary = section.blocks[0].data
    assert summary["n_persons"] == len(expected)
    rows = section.blocks[1].data["rows"]
    assert {r["ref"] for r in rows} <= set(expected)
    # only people with an offender-side record are named; the others by reference
    for r in rows:
        roles = {
            x[0]
            for x in con.execute(
                "SELECT DISTINCT m.role FROM resolved_mention_person mp "
                "JOIN staged_person_mention m USING (mention_id) WHERE mp.person_id = ?",
                [r["ref"]],
            ).fetchall()
        }
        assert bool(r["label"]) == bool(roles & {"suspect", "subject", "detainee", "registrant"})
    alone = crossforce.build(
        context(snap, AccessScope(frozenset({"cambs"}), SCOPE.handling_codes, "SECRET"))
    )
    assert alone.short and "own records only" in alone.blocks[0].data["text"]


def test_networks_count_only_wholly_visible_ones(snap: Snapshot) -> None:
    ctx = context(snap)
    rows = networks.visible_networks(ctx)
    con = snap.con.con
    for n in rows[:10]:
        members = [
            r[0]
            for r in con.execute(
                "SELECT person_id FROM link_network_member "
                "WHERE network_id = ? AND level = 'community'",
                [n["network_id"]],
            ).fetchall()
        ]
        assert all(visible(con, m, SCOPE) for m in members)
    section = networks.build(ctx)
    assert section.blocks[0].data["n"] == len(rows)
    by_type = section.subsections[0]
    assert by_type.available and by_type.blocks[0].template == "blocks/network_types.html"
    # each network the section may show is counted (once per type it has)
    assert by_type.blocks[0].data["n"] == len(rows)


def test_safeguarding_rows_show_only_visible_people(snap: Snapshot) -> None:
    ctx = context(snap)
    section = safeguarding.build(ctx)
    con = snap.con.con
    refs = [
        r["ref"] for sub in section.subsections for b in sub.blocks for r in b.data.get("rows", [])
    ]
    assert refs
    assert all(visible(con, ref, SCOPE) for ref in refs)
    assert all(
        r["name"] == ""
        for sub in section.subsections
        for b in sub.blocks
        for r in b.data.get("rows", [])
    )
    named = safeguarding.build(
        PackContext(**{**context(snap).__dict__, "victim_names": True, "shared": {}})
    )
    names = [
        r["name"] for sub in named.subsections for b in sub.blocks for r in b.data.get("rows", [])
    ]
    assert names and all(names)


def test_a_section_without_its_tables_is_not_available(tmp_path: Path) -> None:
    con = duckdb.connect()
    cat = load_catalogue()
    ctx = PackContext(
        con,
        cat.force("cambs"),
        cat,
        SCOPE,
        dt.date(2026, 1, 9),
        dt.date(2025, 12, 31),
        None,  # type: ignore[arg-type]
    )
    for build in (crossforce.build, networks.build, safeguarding.build):
        section = build(ctx)
        assert not section.available and section.note.endswith("is not available in this snapshot.")
