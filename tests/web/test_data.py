"""The data layer: one access predicate, no query around it, normalisers, names, snapshots."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from toex.errors import InputError, NotFoundError, SnapshotError
from toex.ops.access import AccessScope
from toex.web.data.filters import (
    all_permitted_predicate,
    highest_marking,
    in_list,
    permits_all,
    visible_predicate,
)
from toex.web.data.persons import person_profile
from toex.web.data.search import (
    SearchCriteria,
    normalise_phone,
    normalise_pnc,
    normalise_postcode,
    search_persons,
)
from toex.web.names import NameIndex, normalise_name, split_name
from toex.web.warehouse import FixedSnapshot, SnapshotRef, Warehouse

ALL = AccessScope(frozenset({"cambs", "essex", "norfolk"}), frozenset({"P", "C"}), "SECRET")


def test_every_data_query_reads_the_visible_views_only() -> None:
    folder = resources.files("toex.web.data")
    for name in ("search.py", "persons.py", "network.py", "lists.py", "stim.py"):
        source = folder.joinpath(name).read_text("utf-8")
        assert not re.search(r"staged_\w+", source), name
    explain = resources.files("toex.web").joinpath("explain.py").read_text("utf-8")
    assert "staged_" not in explain


MARKINGS = [
    (f, h, c)
    for f in ("cambs", "essex", "", "x'); DROP")
    for h in ("P", "C", "", "p")
    for c in ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "RESTRICTED", "")
]


@pytest.mark.parametrize(
    "scope",
    [
        ALL,
        AccessScope(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL"),
        AccessScope(frozenset({"essex"}), frozenset({"C", "P"}), "OFFICIAL-SENSITIVE"),
        AccessScope(),
    ],
)
def test_a_derived_figure_needs_every_record_behind_it(scope: AccessScope) -> None:
    """``permits_all`` (Python) and ``all_permitted_predicate`` (SQL) agree with asking
    ``permits`` of every record, over random sets of markings including missing ('') and
    unknown ones (RESTRICTED, lower-case p), which never pass; a set not known (NULL) fails."""
    rnd = random.Random(14)
    con = duckdb.connect()
    for _ in range(200):
        records = rnd.sample(MARKINGS, rnd.randint(1, 4))
        expected = all(scope.permits(*m) for m in records)
        forces, codes, classes = (sorted({m[i] for m in records}) for i in range(3))
        assert permits_all(scope, forces, codes, classes) is expected, (scope, records)
        (got,) = con.execute(
            "SELECT " + all_permitted_predicate(scope, "t") + " FROM (SELECT ?::VARCHAR[] "
            "AS mark_forces, ?::VARCHAR[] AS mark_codes, ?::VARCHAR[] AS mark_classes) t",
            [forces, codes, classes],
        ).fetchone() or (None,)
        assert got is expected, (scope, records)
    assert not permits_all(scope, None, ["P"], ["OFFICIAL"])
    (got,) = con.execute(
        "SELECT " + all_permitted_predicate(scope, "t") + " FROM (SELECT NULL::VARCHAR[] "
        "AS mark_forces, ['P'] AS mark_codes, ['OFFICIAL'] AS mark_classes) t"
    ).fetchone() or (None,)
    assert got is False


def test_visible_predicate_writes_checked_literals() -> None:
    scope = AccessScope(frozenset({"essex", "cambs"}), frozenset({"P"}), "OFFICIAL-SENSITIVE")
    assert visible_predicate(scope, "m") == (
        "m.force IN ('cambs', 'essex') AND m.handling_code IN ('P') "
        "AND m.classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')"
    )
    assert visible_predicate(AccessScope(), "m") == "FALSE"
    assert in_list(["ok", "x'); DROP TABLE t; --"]) == "('ok')"
    assert in_list(["';--"]) == "(NULL)"


def test_highest_marking() -> None:
    assert highest_marking(["OFFICIAL", None, "SECRET", "OFFICIAL-SENSITIVE"]) == "SECRET"
    assert highest_marking([]) == "OFFICIAL"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("07700 900001", "+447700900001"), ("+44 7700-900001", "+447700900001"), ("abc", "")],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("08/12345A", "2008/0012345A"),
        ("2008/0012345a", "2008/0012345A"),
        ("95/1B", "1995/0000001B"),
        ("junk", "JUNK"),
    ],
)
def test_normalise_pnc(raw: str, expected: str) -> None:
    assert normalise_pnc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cb12ab", "CB1 2AB"),
        ("CB1 2AB", "CB1 2AB"),
        ("cb1", "CB1"),
        ("M1 1AE", "M1 1AE"),
        ("W1A0AX", "W1A 0AX"),
    ],
)
def test_normalise_postcode(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


def test_names() -> None:
    assert normalise_name("  O'Brien-Smith, José ") == "OBRIEN-SMITH JOSE"
    assert split_name("Billy  Bob Smith") == ("BILLY", "SMITH")
    assert split_name("smith") == ("", "SMITH")
    index = NameIndex.from_names(["WILLIAM", "BILL", "LIAM", "JANE"], ["SMITH", "SMYTH", "DOE"])
    assert index.forename_candidates("BILLY") >= {"BILLY", "WILLIAM", "BILL", "LIAM"}
    assert "JANE" not in index.forename_candidates("BILLY")
    assert index.surname_candidates("SMITH") >= {"SMITH", "SMYTH"}


def test_search_needs_a_criterion(mini_warehouse: Path) -> None:
    snap = Warehouse(FixedSnapshot(mini_warehouse)).snapshot()
    with pytest.raises(InputError) as err:
        search_persons(snap, snap.cursor(), ALL, SearchCriteria())
    assert str(err.value) == (
        "give at least one of name, date of birth, phone, email, PNC ID or postcode"
    )


def test_search_totals_count_visible_persons_only(mini_warehouse: Path) -> None:
    snap = Warehouse(FixedSnapshot(mini_warehouse)).snapshot()
    cambs = AccessScope(frozenset({"cambs"}), frozenset({"P", "C"}), "SECRET")
    result = search_persons(snap, snap.cursor(), cambs, SearchCriteria(name="Smith"))
    assert (result.total, [h.person_id for h in result.hits]) == (1, ["P1"])
    assert (result.hits[0].forces, result.hits[0].n_mentions) == (["cambs"], 1)
    assert result.hits[0].names == ["WILLIAM SMITH"]
    none = search_persons(snap, snap.cursor(), AccessScope(), SearchCriteria(name="Smith"))
    assert (none.total, none.hits) == (0, [])


def test_profile_of_a_hidden_person_is_not_found(mini_warehouse: Path) -> None:
    snap = Warehouse(FixedSnapshot(mini_warehouse)).snapshot()
    p_only = AccessScope(frozenset({"norfolk"}), frozenset({"P"}), "SECRET")
    with pytest.raises(NotFoundError) as err:
        person_profile(snap, snap.cursor(), p_only, "P2")
    assert str(err.value) == "no person 'P2'"
    profile = person_profile(snap, snap.cursor(), ALL, "P2")
    assert profile.mention_ids == ["mention-000007"] and profile.classification == "OFFICIAL"


class _Moving:
    def __init__(self, ref: SnapshotRef | None) -> None:
        self.ref = ref

    def current(self) -> SnapshotRef | None:
        return self.ref


def test_warehouse_switches_to_a_new_snapshot_without_restart(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    source = _Moving(None)
    wh = Warehouse(source, check_interval=0)
    with pytest.raises(SnapshotError) as err:
        wh.snapshot()
    assert str(err.value) == "no warehouse snapshot yet: run `toex run` first"
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    source.ref = SnapshotRef("run-1", mini_warehouse, now)
    first = wh.snapshot()
    assert (first.ref.run_id, first.date) == ("run-1", "2024-01-01 00:00 UTC")
    copy = tmp_path / "second.duckdb"
    shutil.copy(mini_warehouse, copy)
    source.ref = SnapshotRef("run-2", copy, now)
    assert wh.snapshot() is first  # the new one is built in the background meanwhile
    wh.wait_for_build()
    second = wh.snapshot()
    assert second.ref.run_id == "run-2" and second is not first
    assert first.cursor().execute("SELECT count(*) FROM staged_event").fetchone() == (4,)
    assert wh.snapshot() is second


def test_warehouse_reads_the_engine_pointer(mini_warehouse: Path, tmp_path: Path) -> None:
    import json

    from toex.web.warehouse import engine_source

    root = tmp_path / "warehouse"
    root.mkdir()
    shutil.copy(mini_warehouse, root / "r1.duckdb")
    (root / "CURRENT").write_text(
        json.dumps({"run_id": "r1", "file": "r1.duckdb", "created_at": "2024-02-03T04:05:06+00:00"})
    )
    snap = Warehouse(engine_source(tmp_path)).snapshot()
    assert (snap.ref.run_id, snap.date) == ("r1", "2024-02-03 04:05 UTC")
