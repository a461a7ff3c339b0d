"""Onboarding a force the generator never makes, by writing only a YAML mapping.

The export: tab separated, cp1252, unseen column names, dates as ``dd.mm.yyyy``, and one
column holding ``"SURNAME, Forenames"``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from toex.ingest.check import check_mapping
from toex.ingest.loader import load_file
from toex.ingest.mapping import load_mapping

MAPPING = """\
# Fenland Constabulary "Gaol" custody export (a new force)
source_system: gaol
kind: custody
files: ["forces/{force}/gaol_custody.tsv"]
reader: {format: csv, encoding: cp1252, delimiter: "\\t"}
record_id: Custody No.
provenance:
  handling_code: {column: Sharing, unknown: restrict}
  classification: {column: Marking, values: [OFFICIAL, OFFICIAL-SENSITIVE], unknown: restrict}
targets:
  - table: staged_event
    event: {type: custody, reference: Custody No.}
    fields:
      occurred_from: {column: Detained On, cleaner: date, formats: ["%d.%m.%Y"], required: true}
      offence_code: {column: Offence, cleaner: offence_code}
      text: {columns: [Notes 1, Notes 2], sep: " / "}
  - table: staged_person_mention
    slot: person
    constants: {role: detainee}
    fields:
      name: {column: Detainee, cleaner: surname_forename}
      dob: {column: Born, cleaner: date, formats: ["%d.%m.%Y"], partial: true}
      gender: {column: Sex, cleaner: code, map: {m: M, f: F}}
      phone: {column: Mobile, cleaner: phone}
      postcode: {column: Home postcode, cleaner: postcode}
  - table: staged_object
    slot: person
    object_type: phone
    relation: uses
    when_any: [Mobile]
    fields:
      value: {column: Mobile, cleaner: phone}
"""

EXPORT = (
    "Custody No.\tDetained On\tDetainee\tBorn\tSex\tMobile\tHome postcode\tOffence\t"
    "Notes 1\tNotes 2\tSharing\tMarking\tWard\n"
    "FEN-001\t05.03.2023\tO'BRIEN, Zoë Anne\t07.11.1994\tf\t07700 900321\tpe131aa\t8N\t"
    "Bail £500\t\tC\t\tWisbech\n"
    "FEN-002\t06.03.2023\tSMITH, John\t00.00.1980\tm\t\tPE13 2BB\t105a\tseen\tok\t\t\t"
    "March\n"
    "FEN-003\t31.02.2023\tDOE, Jane\t\tf\t\t\t8N\t\t\t\t\tMarch\n"
)


def test_a_new_export_loads_with_only_a_new_mapping(tmp_path: Path) -> None:
    mapping_path = tmp_path / "gaol_custody.yaml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    export = tmp_path / "gaol_custody.tsv"
    export.write_bytes(EXPORT.encode("cp1252"))
    mapping = load_mapping(mapping_path)
    assert mapping.match("forces/fenland/gaol_custody.tsv") == {"force": "fenland"}

    check = check_mapping(mapping, export, force="fenland")
    assert check.unmapped == ["Ward"] and check.missing == [] and check.error is None

    con = duckdb.connect()
    report = load_file(con, mapping, export, "forces/fenland/gaol_custody.tsv", "fenland", "L1")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    assert con.execute("SELECT source_row, field, reason_code FROM raw_quarantine").fetchall() == [
        (3, "Detained On", "bad_date")
    ]
    assert con.execute(
        "SELECT reference, occurred_from::VARCHAR, offence_code, text, handling_code, "
        "classification, force, source_system FROM staged_event ORDER BY 1"
    ).fetchall() == [
        ("FEN-001", "2023-03-05", "8N", "Bail £500", "C", "OFFICIAL-SENSITIVE", "fenland", "gaol"),
        (
            "FEN-002",
            "2023-03-06",
            "105A",
            "seen / ok",
            "C",
            "OFFICIAL-SENSITIVE",
            "fenland",
            "gaol",
        ),
    ]
    # empty markings fail closed, to the most restrictive value the mapping names, logged
    assert con.execute(
        "SELECT source_row, field, raw_value, reason_code, marking, action "
        "FROM raw_marking_issue ORDER BY ALL"
    ).fetchall() == [
        (1, "Marking", None, "missing_marking", "OFFICIAL-SENSITIVE", "restricted"),
        (2, "Marking", None, "missing_marking", "OFFICIAL-SENSITIVE", "restricted"),
        (2, "Sharing", None, "missing_marking", "C", "restricted"),
        (3, "Marking", None, "missing_marking", None, "quarantined"),
        (3, "Sharing", None, "missing_marking", None, "quarantined"),
    ]
    assert con.execute(
        "SELECT surname_raw, forename_raw, surname, forename, middle_names, dob::VARCHAR, "
        "dob_year, dob_precision, gender, phone, postcode, role "
        "FROM staged_person_mention ORDER BY source_row"
    ).fetchall() == [
        (
            "O'BRIEN",
            "Zoë Anne",
            "OBRIEN",
            "ZOE",
            "ANNE",
            "1994-11-07",
            1994,
            "day",
            "F",
            "+447700900321",
            "PE13 1AA",
            "detainee",
        ),
        (
            "SMITH",
            "John",
            "SMITH",
            "JOHN",
            None,
            None,
            1980,
            "year",
            "M",
            None,
            "PE13 2BB",
            "detainee",
        ),
    ]
    assert con.execute("SELECT value, value_raw FROM staged_object").fetchall() == [
        ("+447700900321", "07700 900321")
    ]
