"""Person summaries merged from the read model's per-person, per-marking rows (``web_person``)
are exactly the summaries of the visible mention rows, for every scope."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toex.ops.access import AccessScope
from toex.web.data.filters import available, lookup
from toex.web.data.search import person_summaries, summarise
from toex.web.warehouse import FixedSnapshot, OpenSnapshot, Warehouse

CLEARANCES = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
COLUMNS = "person_id, forename, surname, dob, force, handling_code, classification"


def _scopes(forces: list[str], rng: random.Random, n: int) -> list[AccessScope]:
    out = [AccessScope(frozenset(forces), frozenset({"P", "C"}), "TOP SECRET"), AccessScope()]
    for _ in range(n):
        out.append(
            AccessScope(
                frozenset(f for f in forces if rng.random() < 0.5),
                frozenset(c for c in ("P", "C") if rng.random() < 0.7),
                rng.choice(CLEARANCES),
            )
        )
    return out


def _check(snap: OpenSnapshot, persons: int, scopes: int) -> None:
    assert available(snap, "v_person")
    cur = snap.cursor()
    ids = [r[0] for r in cur.execute("SELECT DISTINCT person_id FROM web_mention").fetchall()]
    forces = [r[0] for r in cur.execute("SELECT DISTINCT force FROM web_mention").fetchall()]
    rng = random.Random(11)
    # Persons with most mentions (several names, markings) and a random sample.
    busiest = [
        r[0]
        for r in cur.execute(
            "SELECT person_id FROM web_mention GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 40"
        ).fetchall()
    ]
    wanted = sorted(set(busiest) | set(rng.sample(ids, min(persons, len(ids)))))
    for scope in _scopes(sorted(f for f in forces if f), rng, scopes):
        rows = lookup(snap, cur, scope, "v_mention", "person_id", wanted, COLUMNS)
        by_person: dict[str, list[dict[str, object]]] = {}
        for row in rows:
            by_person.setdefault(str(row["person_id"]), []).append(row)
        expected = {pid: summarise(found) for pid, found in by_person.items()}
        known: dict[str, dict[str, object] | None] = {}
        assert person_summaries(snap, cur, scope, wanted, known) == expected, scope
        assert {pid for pid, s in known.items() if s is None} == set(wanted) - set(expected)
    cur.close()


def test_summaries_match_the_visible_mentions_on_the_pipeline_snapshot(
    tiny_snapshot: Path,
) -> None:
    _check(Warehouse(FixedSnapshot(tiny_snapshot, run_id="summaries")).snapshot(), 300, 12)


def test_summaries_match_the_visible_mentions_on_the_inline_warehouse(
    mini_warehouse: Path,
) -> None:
    _check(Warehouse(FixedSnapshot(mini_warehouse, run_id="summaries-mini")).snapshot(), 50, 12)


def test_without_the_summary_table_mentions_are_summarised(
    mini_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = Warehouse(FixedSnapshot(mini_warehouse, run_id="summaries-old")).snapshot()
    scope = AccessScope(frozenset({"cambs", "essex", "norfolk"}), frozenset({"P", "C"}), "SECRET")
    cur = snap.cursor()
    ids = [r[0] for r in cur.execute("SELECT DISTINCT person_id FROM web_mention").fetchall()]
    merged = person_summaries(snap, cur, scope, ids)
    monkeypatch.delitem(snap.columns, "web_person")
    assert not available(snap, "v_person")
    assert person_summaries(snap, cur, scope, ids) == merged
    cur.close()
