"""Erasure: the SQL that deletes tombstoned rows, a re-export that must not bring an erased
record back, and ``toex erase person`` on the tiny set end to end (every table, the file's
bytes, older snapshots, the web app, the audit log)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.exports import (
    ATHENA_CRIME_HEADER,
    ATHENA_PERSON_HEADER,
    crime_line,
    person_line,
    write_csv,
    write_mini_export,
)
from toex import pipeline
from toex.cli.app import app
from toex.config import get_settings
from toex.datadir.erase import _find_keys, apply_tombstones, erase, requester
from toex.engine import SnapshotStore
from toex.errors import InputError, NotFoundError
from toex.model.tables import STAGED_TABLES
from toex.ops import open_store
from toex.ops.audit import AuditQuery, search_entries, verify_chain
from toex.ops.erasure import Tombstones, list_erasures

from .support import add_analyst, login, profile, search, serve

INGEST = [pipeline.ingest]
MENTION_TABLES = ("staged_person_mention", "staged_object", "staged_location")


def _counts(con: duckdb.DuckDBPyConnection, where: str, tables: list[str]) -> dict[str, int]:
    out = {}
    for t in tables:
        (n,) = con.execute(f"SELECT count(*) FROM {t} WHERE {where}").fetchone()  # type: ignore[misc]
        if n:
            out[t] = int(n)
    return out


def _rewrite_nominals(root: Path, n1_phone: str, n2_phone: str) -> None:
    write_csv(
        root / "forces/cambs/crime_nominal.csv",
        [
            ATHENA_PERSON_HEADER,
            person_line("CC/1", "N1", phone=n1_phone),
            person_line(
                "CC/1", "N2", role="Victim", forename="Ann", surname="Jones", phone=n2_phone
            ),
        ],
    )


def test_tombstones_delete_records_with_their_history_and_mentions_with_their_objects(
    tmp_path: Path,
) -> None:
    write_mini_export(tmp_path / "in")
    pipeline.run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    _rewrite_nominals(tmp_path / "in", "07700 900999", "07700 900123")  # N1 corrected
    pipeline.run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    store = SnapshotStore(tmp_path / "var")
    with store.begin() as snap:
        con = snap.con.con
        (key,) = con.execute(
            "SELECT record_key FROM raw_record WHERE source_record_id = 'CC/1/N1'"
        ).fetchone()  # type: ignore[misc]
        (m1,) = con.execute(
            "SELECT mention_id FROM staged_person_mention WHERE source_record_id = 'M1'"
        ).fetchone()  # type: ignore[misc]
        tables = [n for t in STAGED_TABLES for n in (t.name, f"{t.name}_history")]
        of_record = _counts(con, "source_record_id = 'CC/1/N1'", tables)
        of_mention = _counts(con, f"mention_id = '{m1}'", [*MENTION_TABLES])
        totals = _counts(con, "TRUE", [*tables, "raw_record"])
        deleted = apply_tombstones(con, Tombstones(frozenset({key}), frozenset({m1})))
        after = _counts(con, "TRUE", [*tables, "raw_record"])
    # the corrected record's current rows and its earlier version, objects and locations
    assert of_record == {
        "staged_person_mention": 1,
        "staged_person_mention_history": 1,
        "staged_object": 2,
        "staged_object_history": 2,
        "staged_location": 1,
        "staged_location_history": 1,
    }
    assert of_mention == {"staged_person_mention": 1, "staged_object": 1, "staged_location": 1}
    expected = dict(of_record)
    for t, n in of_mention.items():
        expected[t] += n
    assert deleted == {**expected, "raw_record": 1}
    assert after == {
        t: totals[t] - deleted.get(t, 0) for t in totals if totals[t] - deleted.get(t, 0)
    }
    check = duckdb.connect(str(snap.path), read_only=True)
    assert check.execute(
        "SELECT count(*) FROM staged_event WHERE source_record_id = 'M1'"
    ).fetchone() == (1,)  # a person's erasure leaves the event (others' record) in place
    check.close()


def test_an_erased_crime_takes_its_people_and_a_re_export_brings_none_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    data = tmp_path / "var"
    write_mini_export(tmp_path / "in")
    pipeline.run(tmp_path / "in", data, progress=False)
    reason = "crime cancelled at source; no policing purpose"
    result = erase(data, get_settings(), "record", "athena:CC/1", reason, requested_by="dpo")
    # the crime and the two person-on-crime records (suspect N1, victim N2) naming it
    erased = {
        "staged_event": 1,
        "staged_person_mention": 2,
        "staged_object": 4,
        "staged_location": 2,
        "raw_record": 3,
    }
    assert result.tombstones == 3 and result.run.results["erasure"].deleted == erased
    assert {"resolve", "link", "assess", "retention"} <= set(result.run.results)  # rebuilt
    assert [i.run_id for i in SnapshotStore(data).list()] == [result.run.run_id]
    # the source re-exports both files with the records still in them (and changed)
    _rewrite_nominals(tmp_path / "in", "07700 900999", "07700 900555")
    write_csv(
        tmp_path / "in" / "forces/cambs/crime.csv",
        [ATHENA_CRIME_HEADER, crime_line("CC/1"), crime_line("CC/2", status="Filed")],
    )
    again = pipeline.run(tmp_path / "in", data, progress=False, stages=INGEST)
    reports = {r.source_file: r for r in again.reports}
    assert reports["forces/cambs/crime_nominal.csv"].rows_new == 2  # new to ingest...
    assert reports["forces/cambs/crime.csv"].rows_new == 1
    assert again.results["erasure"].deleted == erased  # ...and removed again
    con = duckdb.connect(str(again.path), read_only=True)
    for table in ("staged_event", "staged_person_mention", "staged_object", "raw_record"):
        for history in ("", "_history") if table != "raw_record" else ("",):
            assert con.execute(
                f"SELECT count(*) FROM {table}{history} WHERE source_record_id LIKE 'CC/1%'"
            ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM staged_event WHERE source_record_id = 'CC/2'"
    ).fetchone() == (1,)
    con.close()
    get_settings.cache_clear()


def test_targets_are_found_or_refused_with_a_clear_message() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw_record AS SELECT * FROM (VALUES ('k1', 'cambs', 'athena_crime', "
        "'athena', 'X/1'), ('k2', 'beds', 'athena_crime', 'athena', 'X/1')) "
        "v(record_key, force, mapping, source_system, source_record_id)"
    )
    con.execute(
        "CREATE TABLE resolved_mention_person AS SELECT 'm1' AS mention_id, 'P1' AS person_id"
    )
    assert _find_keys(con, "record", "athena:X/1", "beds", "r1") == [("record", "k2")]
    # with events: the records of the people named on the erased record's event go with it
    con.execute(
        "INSERT INTO raw_record VALUES ('k3', 'beds', 'athena_crime_person', 'athena', 'X/1/N1')"
    )
    con.execute("ALTER TABLE raw_record ADD COLUMN record_hash VARCHAR DEFAULT 'h'")
    for table in ("staged_event", "staged_person_mention"):
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM (VALUES ('beds', 'athena', 'X/1', 'h', "
            "'e1'), ('beds', 'athena', 'X/1/N1', 'h', 'e1'), ('cambs', 'athena', 'X/1', 'h', "
            "'e2')) v(force, source_system, source_record_id, record_hash, event_id)"
        )
    assert _find_keys(con, "record", "athena:X/1", "beds", "r1") == [
        ("record", "k2"),
        ("record", "k3"),
    ]
    assert _find_keys(con, "person", "P1", None, "r1") == [("mention", "m1")]
    cases = [
        (
            ("record", "athena:X/1", None),
            InputError,
            "record athena:X/1 exists for 2 forces (beds, cambs): name one with --force",
        ),
        (
            ("record", "athenaX1", None),
            InputError,
            "a record is SOURCE_SYSTEM:RECORD_ID (e.g. athena:31/005629/23), not 'athenaX1'",
        ),
        (
            ("record", "athena:X/2", "beds"),
            NotFoundError,
            "no record athena:X/2 of force beds in snapshot r1",
        ),
        (("person", "P9", None), NotFoundError, "no person P9 in snapshot r1"),
    ]
    for (kind, target, force), error, message in cases:
        with pytest.raises(error) as info:
            _find_keys(con, kind, target, force, "r1")
        assert str(info.value) == message


def _holding(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[tuple[str, str, int]]:
    """(table, column, rows) of every text or text-list column holding any of ``values``."""
    found = []
    for table, column, dtype in con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE data_type IN ('VARCHAR', 'VARCHAR[]')"
    ).fetchall():
        test = (
            f'list_contains($values, "{column}")'
            if dtype == "VARCHAR"
            else f'list_has_any("{column}", $values)'
        )
        sql = f'SELECT count(*) FROM "{table}" WHERE {test}'
        (n,) = con.execute(sql, {"values": values}).fetchone()  # type: ignore[misc]
        if n:
            found.append((table, column, int(n)))
    return found


def test_erase_person_removes_him_from_every_table_file_snapshot_and_page(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "var"
    shutil.copytree(tiny_warehouse, data)
    monkeypatch.setenv("TOEX_DATA_DIR", str(data))
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    before = SnapshotStore(data).current()
    assert before is not None
    con = duckdb.connect(str(before.path), read_only=True)
    # a person with several mentions, one of which carries a phone no other row has, stored
    # where the file's bytes show it (DuckDB compresses some string blocks: a phone in one of
    # those could not show that erasure removed it from the file)
    raw = before.path.read_bytes()
    candidates = con.execute(
        "SELECT r.person_id, any_value(m.phone_raw), any_value(concat_ws(' ', m.forename, "
        "m.surname)) FROM resolved_mention_person r "
        "JOIN staged_person_mention m USING (mention_id) WHERE m.phone_raw IN ("
        "SELECT phone_raw FROM staged_person_mention GROUP BY 1 HAVING count(*) = 1) "
        "AND r.person_id IN (SELECT person_id FROM resolved_mention_person GROUP BY 1 "
        "HAVING count(*) >= 2) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    person, phone, name = next(c for c in candidates if c[1].encode() in raw)
    mentions = {
        r[0]
        for r in con.execute(
            "SELECT mention_id FROM resolved_mention_person WHERE person_id = ?", [person]
        ).fetchall()
    }
    con.close()
    assert phone.encode() in before.path.read_bytes()  # the file holds it before
    ops = f"sqlite:///{data / 'ops.sqlite'}"
    add_analyst(store := open_store(ops))
    store.dispose()
    with serve(data, ops, check_interval=0.0) as client:
        token = login(client)
        assert person in search(client, token, name)
        assert profile(client, token, person)[0] == 200
        result = CliRunner().invoke(
            app, ["erase", "person", person, "--reason", "erasure test: no policing purpose"]
        )
        assert result.exit_code == 0, result.output
        client.get("/search")  # the app notices the new snapshot and opens it
        client.app.state.toex.warehouse.wait_for_build()  # type: ignore[attr-defined]
        assert person not in search(client, token, name)
        assert profile(client, token, person)[0] == 404
    after = SnapshotStore(data).current()
    assert after is not None
    # only the new snapshot and its web cache are left (the old one's cache went with it)
    assert sorted(p.name for p in (data / "warehouse").iterdir()) == sorted(
        [
            "CURRENT",
            f"{after.run_id}.duckdb",
            f"{after.run_id}.webindex",
            f".{after.run_id}.webindex.lock",
        ]
    )
    (e,) = list_erasures(store := open_store(ops))
    assert (e.kind, e.target, len(e.tombstones)) == ("person", person, len(mentions))
    assert e.applied_run_id == after.run_id
    assert result.output.startswith(
        f"erasure {e.id}: person {person} ({len(mentions)} tombstone(s)); "
    )
    # no table holds his mentions or his person id, and the file no longer holds his phone
    con = duckdb.connect(str(after.path), read_only=True)
    assert _holding(con, [*sorted(mentions), person, phone]) == []
    (n_persons,) = con.execute(
        "SELECT count(DISTINCT person_id) FROM resolved_mention_person"
    ).fetchone()  # type: ignore[misc]
    con.close()
    assert n_persons > 0 and phone.encode() not in after.path.read_bytes()
    # audited, and the chain still verifies
    (entry,) = search_entries(store, AuditQuery(action="erase", text=f"erase person {person}"))
    assert entry.purpose == "erasure test: no policing purpose"
    assert entry.detail["erasure_id"] == e.id
    assert entry.username == e.requested_by == requester()  # no --by: who ran it asked
    assert verify_chain(store).ok
    store.dispose()
    get_settings.cache_clear()
