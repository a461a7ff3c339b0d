"""Loading one file: accounting, quarantine, provenance, IDs, idempotence, history."""

from __future__ import annotations

from pathlib import Path

import duckdb

from toex.ingest.discovery import FileTask
from toex.ingest.loader import StagingBuffer, ensure_tables, load_file
from toex.ingest.mapping import Mapping
from toex.ingest.stage import ingest_tasks
from toex.model.ids import stable_id

from .exports import (
    ATHENA_CRIME_HEADER,
    ATHENA_PERSON_HEADER,
    crime_line,
    person_line,
    write_csv,
)

CRIME_FILE = "forces/cambs/crime.csv"


def _crimes(tmp_path: Path, lines: list[str]) -> Path:
    return write_csv(tmp_path / CRIME_FILE, [ATHENA_CRIME_HEADER, *lines], bom=True, newline="\r\n")


def test_rows_balance_and_bad_rows_are_quarantined_with_reasons(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    path = _crimes(
        tmp_path,
        [
            crime_line("CC/1"),
            crime_line("CC/2", committed="31/02/2022"),
            "CC/3,8N,Assault,01/02/2022",
            crime_line("CC/4", offence="99Z"),
            crime_line(""),
            crime_line("CC/6", offence="008n"),
        ],
    )
    report = load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L1")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (6, 2, 4)
    assert report.balanced
    assert con.execute(
        "SELECT source_row, field, raw_value, reason_code, reason "
        "FROM raw_quarantine ORDER BY source_row"
    ).fetchall() == [
        (2, "CommittedFrom", "31/02/2022", "bad_date", "'31/02/2022' is not a date"),
        (3, None, "CC/3,8N,Assault,01/02/2022", "field_count", "expected 12 fields, found 4"),
        (
            4,
            "HOOffenceCode",
            "99Z",
            "unknown_offence_code",
            "'99Z' is not a known Home Office offence code",
        ),
        (5, "CrimeRef", None, "missing_required", "required field is empty"),
    ]
    assert con.execute(
        "SELECT reference, source_row, offence_code, offence_code_raw, "
        "occurred_from::VARCHAR, vawg FROM staged_event ORDER BY 1"
    ).fetchall() == [
        ("CC/1", 1, "8N", "8N", "2022-03-05", False),
        ("CC/6", 6, "8N", "008n", "2022-03-05", False),
    ]
    assert con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined, mapping FROM raw_load_log"
    ).fetchall() == [(6, 2, 4, "athena_crime")]


def test_provenance_on_every_staged_row(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    path = _crimes(tmp_path, [crime_line("CC/1").replace(",P,OFFICIAL", ",C,OFFICIAL-SENSITIVE")])
    load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L1")
    row = con.execute(
        "SELECT force, source_system, source_file, source_row, source_record_id, "
        "length(record_hash), load_id, grading, handling_code, classification "
        "FROM staged_event"
    ).fetchone()
    assert row == (
        "cambs",
        "athena",
        CRIME_FILE,
        1,
        "CC/1",
        64,
        "L1",
        None,
        "C",
        "OFFICIAL-SENSITIVE",
    )


def test_crime_person_event_id_equals_the_crime_event_id(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    crimes = _crimes(tmp_path, [crime_line("CC/1")])
    people = write_csv(
        tmp_path / "forces/cambs/crime_nominal.csv",
        [
            ATHENA_PERSON_HEADER,
            person_line("CC/1", "N1"),
            person_line(
                "CC/1",
                "N2",
                role="Victim",
                forename="Zoë Anne",
                surname="O'Brien",
                phone="07seven00 900 one23",
            ),
        ],
        bom=True,
    )
    load_file(con, mappings["athena_crime"], crimes, CRIME_FILE, "cambs", "L1")
    load_file(
        con,
        mappings["athena_crime_person"],
        people,
        "forces/cambs/crime_nominal.csv",
        "cambs",
        "L1",
    )
    (event_id,) = con.execute("SELECT event_id FROM staged_event").fetchone() or ("",)
    assert event_id == stable_id("cambs", "crime", "CC/1")
    rows = con.execute(
        "SELECT mention_id, event_id, role, slot, forename_raw, forename, middle_names, surname, "
        "dob::VARCHAR, dob_precision, gender, pnc_id, phone, phone_raw, email, postcode, "
        "age_at_event FROM staged_person_mention ORDER BY source_row"
    ).fetchall()
    assert rows == [
        (
            stable_id("cambs", "athena", "crime_person", "CC/1/N1", "person"),
            event_id,
            "suspect",
            "person",
            "John",
            "JOHN",
            None,
            "SMITH",
            "1990-03-05",
            "day",
            "M",
            "2001/0012345X",
            "+447700900123",
            "07700 900123",
            "j.smith@example.com",
            "CB1 2AB",
            31,
        ),
        (
            stable_id("cambs", "athena", "crime_person", "CC/1/N2", "person"),
            event_id,
            "victim",
            "person",
            "Zoë Anne",
            "ZOE",
            "ANNE",
            "OBRIEN",
            "1990-03-05",
            "day",
            "M",
            "2001/0012345X",
            "+447700900123",
            "07seven00 900 one23",
            "j.smith@example.com",
            "CB1 2AB",
            31,
        ),
    ]
    objects = con.execute(
        "SELECT object_type, value, relation, mention_id IS NOT NULL, "
        "event_id = ? FROM staged_object ORDER BY source_row, object_type",
        [event_id],
    ).fetchall()
    assert (
        objects
        == [
            ("email", "j.smith@example.com", "uses", True, True),
            ("phone", "+447700900123", "uses", True, True),
        ]
        * 2
    )
    assert con.execute(
        "SELECT count(*), min(postcode), min(relation) FROM staged_location"
    ).fetchone() == (2, "CB1 2AB", "home")


def test_reloading_the_same_file_adds_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    path = _crimes(tmp_path, [crime_line("CC/1"), crime_line("CC/2")])
    first = load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L1")
    before = con.execute("SELECT count(*) FROM staged_event").fetchone()
    again = load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L2")
    assert again.skipped_as == "L1" and again.notes == ["already loaded by load L1: nothing added"]
    assert (first.rows_new, again.rows_new, again.rows_unchanged) == (2, 0, 2)
    assert con.execute("SELECT count(*) FROM staged_event").fetchone() == before
    assert con.execute("SELECT count(*) FROM raw_load_log").fetchone() == (1,)


def test_corrected_reexport_updates_changed_records_and_keeps_history(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    path = _crimes(tmp_path, [crime_line("CC/1"), crime_line("CC/2")])
    load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L1")
    _crimes(tmp_path, [crime_line("CC/1"), crime_line("CC/2", status="Filed"), crime_line("CC/3")])
    report = load_file(con, mappings["athena_crime"], path, CRIME_FILE, "cambs", "L2")
    assert (report.rows_new, report.rows_updated, report.rows_unchanged) == (1, 1, 1)
    assert con.execute(
        "SELECT reference, status, load_id FROM staged_event ORDER BY 1"
    ).fetchall() == [("CC/1", "Charged", "L1"), ("CC/2", "Filed", "L2"), ("CC/3", "Charged", "L2")]
    assert con.execute(
        "SELECT reference, status, load_id, superseded_by FROM staged_event_history"
    ).fetchall() == [("CC/2", "Charged", "L1", "L2")]
    assert con.execute("SELECT count(*) FROM raw_record").fetchone() == (3,)


def test_messy_optional_values_become_null_and_are_counted(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ATHENA_PERSON_HEADER,
            person_line("CC/1", "N1", dob="31/02/1990", phone="not a phone", postcode="XX"),
            person_line("CC/1", "N2", dob="1990"),
        ],
        bom=True,
    )
    report = load_file(con, mappings["athena_crime_person"], path, "p.csv", "cambs", "L1")
    assert (report.rows_loaded, report.rows_quarantined, report.value_issues) == (2, 0, 3)
    assert con.execute(
        "SELECT field, reason_code, rows, example FROM raw_value_issue ORDER BY field"
    ).fetchall() == [
        ("DOB", "bad_date", 1, "31/02/1990"),
        ("Phone", "bad_value", 1, "not a phone"),
        ("Postcode", "bad_value", 1, "XX"),
    ]
    assert con.execute(
        "SELECT dob, dob_raw, dob_year, dob_precision, phone, phone_raw "
        "FROM staged_person_mention ORDER BY source_row"
    ).fetchall() == [
        (None, "31/02/1990", None, None, None, "not a phone"),
        (None, "1990", 1990, "year", "+447700900123", "07700 900123"),
    ]


def test_a_corrected_reexport_in_the_same_run_sees_the_buffered_first_version(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    first = _crimes(tmp_path, [crime_line("CC/1"), crime_line("CC/2")])
    second = write_csv(
        tmp_path / "forces/cambs/crime_v2.csv",
        [ATHENA_CRIME_HEADER, crime_line("CC/1"), crime_line("CC/2", status="Filed")],
        bom=True,
    )
    mapping = mappings["athena_crime"]
    tasks = [
        FileTask(first, CRIME_FILE, mapping, "cambs"),
        FileTask(second, "forces/cambs/crime_v2.csv", mapping, "cambs"),
        FileTask(first, CRIME_FILE, mapping, "cambs"),
    ]
    reports = ingest_tasks(con, tasks, "L1").reports
    assert [(r.rows_new, r.rows_updated, r.rows_unchanged) for r in reports] == [
        (2, 0, 0),
        (0, 1, 1),
        (0, 0, 2),
    ]
    assert reports[2].skipped_as == "L1"
    assert con.execute(
        "SELECT reference, status, source_file FROM staged_event ORDER BY 1"
    ).fetchall() == [
        ("CC/1", "Charged", CRIME_FILE),
        ("CC/2", "Filed", "forces/cambs/crime_v2.csv"),
    ]
    assert con.execute("SELECT reference, status FROM staged_event_history").fetchall() == [
        ("CC/2", "Charged")
    ]
    assert con.execute("SELECT count(*) FROM raw_record").fetchone() == (2,)
    # the buffers are gone once the stage is done
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'buffer_%'"
    ).fetchone() == (0,)


def test_the_staging_buffer_flushes_in_blocks(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    ensure_tables(con)
    buffer = StagingBuffer(con, flush_rows=3)
    for i in range(3):
        path = write_csv(
            tmp_path / f"c{i}.csv",
            [ATHENA_CRIME_HEADER, crime_line(f"CC/{2 * i}"), crime_line(f"CC/{2 * i + 1}")],
        )
        load_file(con, mappings["athena_crime"], path, f"c{i}.csv", "cambs", "L1", buffer=buffer)
        if i == 0:  # two records held: nothing in the table yet
            assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (0,)
        # each next file's two records would overfill the buffer: it is flushed before them
        assert (buffer.flushes, buffer.rows) == (i, 2)
        assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (2 * i,)
    buffer.flush()
    assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (6,)
    assert con.execute("SELECT count(*) FROM buffer_staged_event").fetchone() == (0,)
