"""The row store answers key lookups exactly as DuckDB's index does: the same rows, the same
Python values, in the same order; it declines what it cannot answer, and the data layer then
asks DuckDB."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from toex.ops.access import AccessScope
from toex.web import rowstore, webindex
from toex.web.data.filters import keyed_rows, lookup
from toex.web.rowstore import KEYED, KeyIndex
from toex.web.warehouse import FixedSnapshot, OpenSnapshot, Warehouse

ALL = AccessScope(
    frozenset({"asw", "cambs", "essex", "gmp", "lancs", "leics", "norfolk", "northants", "staffs"})
    | frozenset({"wmp", "suffolk", "toex"}),
    frozenset({"P", "C"}),
    "TOP SECRET",
)


@pytest.fixture(scope="module")
def snap(tiny_snapshot: Path) -> OpenSnapshot:
    """The tiny pipeline snapshot (it has the link stage's tables), opened once."""
    return Warehouse(FixedSnapshot(tiny_snapshot, run_id="rowstore")).snapshot()


def _duckdb(cur: Any, table: str, key: str, keys: list[str], columns: str) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in keys)
    result = cur.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})", keys)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def test_every_hot_table_is_stored(snap: OpenSnapshot) -> None:
    stored = {t: sorted(found.keys) for t, found in snap.rows.tables.items()}
    assert stored == {t: sorted(keys) for t, keys in KEYED.items() if snap.has(t)}


def test_lookups_match_duckdb_row_for_row(snap: OpenSnapshot) -> None:
    rng = random.Random(7)
    cur = snap.cursor()
    checked = 0
    for table, keys in KEYED.items():
        for key in keys:
            values = [
                r[0]
                for r in cur.execute(
                    f"SELECT DISTINCT {key} FROM {table} WHERE {key} IS NOT NULL"
                ).fetchall()
            ]
            for _ in range(40):
                wanted = sorted(set(rng.sample(values, min(len(values), rng.randint(1, 6)))))
                mine = snap.rows.lookup(table, key, [*wanted, "no-such-key"])
                assert mine == _duckdb(cur, table, key, wanted, "*"), (table, key, wanted)
                checked += 1
    assert checked == 40 * sum(len(k) for k in KEYED.values())


def test_a_select_list_with_left_is_answered_as_duckdb_would(snap: OpenSnapshot) -> None:
    cur = snap.cursor()
    events = [r[0] for r in cur.execute("SELECT event_id FROM web_event LIMIT 30").fetchall()]
    columns = "event_id, left(text, 5) AS text, force, handling_code, classification"
    assert snap.rows.lookup("web_event", "event_id", events, columns) == _duckdb(
        cur, "web_event", "event_id", sorted(events), columns
    )


def test_what_the_store_cannot_answer_goes_to_duckdb(snap: OpenSnapshot) -> None:
    cur = snap.cursor()
    phone = cur.execute("SELECT phone FROM web_mention WHERE phone IS NOT NULL LIMIT 1").fetchone()
    assert phone is not None
    assert snap.rows.lookup("web_mention", "phone", [phone[0]]) is None  # key not stored
    assert snap.rows.lookup("web_mention", "person_id", ["x"], "upper(forename) AS f") is None
    assert snap.rows.lookup("web_mention", "person_id", ["x"], "no_such_column") is None
    # keyed_rows answers either way, identically
    rows = keyed_rows(snap, cur, "web_mention", "phone", [phone[0]], "mention_id, phone")
    assert rows and all(r["phone"] == phone[0] for r in rows)
    found = lookup(snap, cur, ALL, "v_mention", "phone", [phone[0]], "mention_id, phone, force, "
                   "handling_code, classification")  # fmt: skip
    assert [r["mention_id"] for r in found] == [r["mention_id"] for r in rows]


def test_key_index_finds_ranges_and_ignores_impossible_keys() -> None:
    keys = np.array([b"A", b"B", b"B", b"C"], dtype="S2")
    index = KeyIndex(keys, np.array([3, 0, 2, 1], dtype=np.int64))
    assert index.find(["B"]).tolist() == [0, 2]
    assert index.find(["C", "A", "B"]).tolist() == [0, 1, 2, 3]
    assert index.find(["BBB", "D", ""]).tolist() == []  # too long for the keys, or absent


def test_a_damaged_row_store_file_invalidates_the_cache(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "20240101T000000000000Z-aaaa.duckdb"
    shutil.copy(mini_warehouse, path)
    opened = Warehouse(FixedSnapshot(path, run_id=path.stem)).snapshot()
    assert "web_mention" in opened.rows.tables
    stored = opened.cache.path / "web_mention.arrow"
    data = stored.read_bytes()
    stored.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    with pytest.raises(webindex.CacheInvalid, match=r"web_mention\.arrow fails its checksum"):
        webindex.validate(opened.cache.path, path)


def test_rows_spread_over_many_record_batches_come_back_as_duckdb_gives_them(
    snap: OpenSnapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rowstore, "BATCH_ROWS", 100)
    monkeypatch.setattr(rowstore, "BATCH_BYTES", 20_000)  # several reads a batch, many batches
    tables = ["web_mention", "web_person"]
    con = duckdb.connect(str(snap.cache.read_model), read_only=True)
    try:
        stored = rowstore.build(con, tables, tmp_path)
        store = rowstore.RowStore.load(tmp_path, stored)
        sizes = [b.num_rows for b in store.tables["web_person"].batches]
        assert len(sizes) > 3 and max(sizes) > 100
        rng = random.Random(5)
        cur = con.cursor()
        for table in tables:
            ids = [r[0] for r in cur.execute(f"SELECT DISTINCT person_id FROM {table}").fetchall()]
            for _ in range(20):
                wanted = sorted(rng.sample(ids, 30))
                assert store.lookup(table, "person_id", wanted) == _duckdb(
                    cur, table, "person_id", wanted, "*"
                )
    finally:
        con.close()
