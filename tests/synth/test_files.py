"""Every generated file is in its declared format, and only planted rows are malformed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from toex.model.offences import canonical_offence_code
from toex.synth.formats import load_formats

from .files import fmt_of, parse_date, read_raw

DATE_FIELDS = (
    "occurred_from",
    "occurred_to",
    "reported_date",
    "intel_date",
    "dob",
    "subject_dob",
    "associate_dob",
    "missing_date",
    "found_date",
    "arrest_date",
    "registration_date",
    "created_date",
    "posted_date",
    "paid_date",
    "call_date",
    "start_date",
    "end_date",
)


def _quarantined(truth: dict[str, Any]) -> dict[tuple[str, int], str]:
    q: pd.DataFrame = truth["quarantine"]
    return {(r.source_file, int(r.source_row)): r.reason_code for r in q.itertuples()}


def test_layout_matches_manifest(tiny_synth: Path, manifest: dict[str, Any]) -> None:
    listed = {e["path"] for e in manifest["files"]}
    on_disk = {
        p.relative_to(tiny_synth).as_posix()
        for p in tiny_synth.rglob("*")
        if p.is_file() and p.parts[len(tiny_synth.parts)] in ("forces", "partner", "regional")
    }
    assert listed == on_disk
    forces = {e["force"] for e in manifest["files"] if e["path"].startswith("forces/")}
    assert len(forces) == 9
    for force in forces:
        kinds = {e["kind"] for e in manifest["files"] if e["force"] == force}
        assert kinds == {"crime", "crime_person", "intel", "missing", "custody", "visor"}
    assert {
        (e["path"], e["system"]) for e in manifest["files"] if not e["path"].startswith("forces/")
    } == {
        ("partner/asw/accounts.jsonl", "asw"),
        ("partner/asw/adverts.jsonl", "asw"),
        ("partner/asw/payments.csv", "asw"),
        ("partner/asw/staff_calls.csv", "asw"),
        ("regional/toex/operations.csv", "toex"),
    }
    assert manifest["as_of"] == "2025-12-31" and manifest["scale"] == "tiny"
    assert (tiny_synth / "truth" / "scenarios.json").exists()


def test_each_file_has_its_declared_encoding_header_and_row_count(
    tiny_synth: Path, manifest: dict[str, Any]
) -> None:
    for entry in manifest["files"]:
        fmt = fmt_of(entry)
        assert entry["file_type"] == fmt.file_type
        assert entry["encoding"] == fmt.encoding
        assert entry["path"].endswith(fmt.name)
        header, rows = read_raw(tiny_synth, entry)
        assert header == fmt.header(), entry["path"]
        assert len(rows) == entry["rows"] > 0, entry["path"]
        data = (tiny_synth / entry["path"]).read_bytes()
        if fmt.encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
        elif fmt.file_type in ("csv", "jsonl"):
            assert not data.startswith(b"\xef\xbb\xbf")


def test_connect_files_are_cp1252_not_utf8(tiny_synth: Path, manifest: dict[str, Any]) -> None:
    entries = [e for e in manifest["files"] if e["system"] == "connect"]
    assert entries and all(e["encoding"] == "cp1252" for e in entries)
    blob = b"".join((tiny_synth / e["path"]).read_bytes() for e in entries)
    assert b";" in blob.split(b"\n")[0]
    blob.decode("cp1252")


def test_excel_dates_are_serials_in_wmp_missing_and_date_cells_in_visor(
    tiny_synth: Path, manifest: dict[str, Any]
) -> None:
    for entry in manifest["files"]:
        if entry["file_type"] != "xlsx":
            continue
        fmt = fmt_of(entry)
        header, rows = read_raw(tiny_synth, entry)
        col = header.index(fmt.columns.get("missing_date") or fmt.columns["registration_date"])
        for r in rows:
            if fmt.date_format == "excel_serial":
                assert isinstance(r[col], int) and 36000 < r[col] < 46100
            else:
                assert isinstance(r[col], dt.datetime)


def test_only_planted_rows_are_malformed(
    tiny_synth: Path, manifest: dict[str, Any], truth: dict[str, Any]
) -> None:
    planted = _quarantined(truth)
    found: dict[tuple[str, int], str] = {}
    for entry in manifest["files"]:
        fmt = fmt_of(entry)
        header, rows = read_raw(tiny_synth, entry)
        for i, row in enumerate(rows, start=1):
            key = (entry["path"], i)
            if len(row) != len(header):
                found[key] = "field_count"
                continue
            rec = dict(zip(header, row, strict=True))
            if rec[fmt.columns["reference"]] in (None, ""):
                found[key] = "missing_required"
            for field in ("offence_code",):
                if field in fmt.columns and canonical_offence_code(rec[fmt.columns[field]]) is None:
                    found[key] = "unknown_offence_code"
            for field in DATE_FIELDS:
                if field in fmt.columns:
                    try:
                        parse_date(rec[fmt.columns[field]] or None, fmt)
                    except ValueError:
                        found[key] = "bad_date"
    assert found == planted
    assert set(planted.values()) == {
        "field_count",
        "missing_required",
        "bad_date",
        "unknown_offence_code",
    }


def test_formats_yaml_systems_are_all_written(manifest: dict[str, Any]) -> None:
    written = {(e["system"], e["kind"]) for e in manifest["files"]}
    declared = {(s, k) for s, spec in load_formats().items() for k in spec.files}
    assert written == declared
