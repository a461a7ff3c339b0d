"""Which mapping loads which file: the manifest first, else the mappings' file patterns."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from toex.errors import MappingError
from toex.ingest.discovery import discover
from toex.ingest.mapping import Mapping
from toex.ingest.stage import ingest_tasks

from .exports import write_mini_export


def test_manifest_gives_mapping_and_force(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    written = write_mini_export(tmp_path)
    tasks, unmatched = discover(tmp_path, list(mappings.values()))
    assert [t.source_file for t in tasks] == list(written)
    assert {(t.source_file, t.mapping.name, t.force) for t in tasks} >= {
        ("forces/wmp/missing_persons.xlsx", "wmp_missing", "wmp"),
        ("partner/asw/payments.csv", "asw_payment", "asw"),
    }
    assert unmatched == []


def test_without_a_manifest_patterns_decide(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    write_mini_export(tmp_path)
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "persons.parquet").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("hello")
    tasks, unmatched = discover(tmp_path, list(mappings.values()))
    assert sorted((t.source_file, t.mapping.name, t.force) for t in tasks)[:3] == [
        ("forces/cambs/crime.csv", "athena_crime", "cambs"),
        ("forces/cambs/crime_nominal.csv", "athena_crime_person", "cambs"),
        ("forces/cambs/visor_register.xlsx", "visor_visor", "cambs"),
    ]
    assert len(tasks) == 9
    assert unmatched == ["notes.txt"]


def test_manifest_problems_are_named(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "files": [
                    {"path": "forces/x/a.csv", "force": "x", "system": "athena", "kind": "crime"}
                ]
            }
        )
    )
    tasks, _ = discover(tmp_path, list(mappings.values()))
    result = ingest_tasks(duckdb.connect(), tasks, "L1")  # a missing file does not stop a run
    assert [(f.source_file, f.reason_code, f.reason) for f in result.failed] == [
        ("forces/x/a.csv", "no_such_file", "forces/x/a.csv: no such file")
    ]
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "files": [
                    {"path": "forces/x/a.csv", "force": "x", "system": "athena", "kind": "ledger"}
                ]
            }
        )
    )
    with pytest.raises(MappingError) as err:
        discover(tmp_path, list(mappings.values()))
    assert str(err.value) == "forces/x/a.csv: no mapping for system 'athena' kind 'ledger'"
