"""Mappings: strict validation with exact messages; the shipped ones fit every export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from toex.errors import MappingError
from toex.ingest.mapping import Mapping, load_mapping, parse_mapping, pattern_regex
from toex.synth.formats import load_formats


def _base(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_system": "s",
        "kind": "k",
        "reader": {"format": "csv"},
        "record_id": "Ref",
        "targets": [
            {
                "table": "staged_event",
                "event": {"type": "crime", "reference": "Ref"},
                "fields": {"occurred_from": {"column": "D", "cleaner": "date"}},
            }
        ],
    }
    data.update(overrides)
    return data


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(MappingError) as info:
        parse_mapping(data, "m.yaml")
    return str(info.value)


def test_a_minimal_mapping() -> None:
    m = parse_mapping(_base(), "m.yaml")
    assert (m.name, m.source_system, m.kind, m.record_id) == ("m", "s", "k", ("Ref",))
    assert m.columns_used() == ["Ref", "D"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"colour": 1},
            "m.yaml: unknown key 'colour' (allowed: description, export, files, force, kind, "
            "name, provenance, reader, record_id, source_system, targets)",
        ),
        (
            {"reader": {"format": "fixed"}},
            "m.yaml, field 'reader.format': unknown format 'fixed' "
            "(known: csv, jsonl, xlsx, parquet)",
        ),
        (
            {"reader": {"format": "csv", "sep": ","}},
            "m.yaml, field 'reader': unknown key 'sep' "
            "(allowed: delimiter, encoding, format, quote, sheet)",
        ),
        (
            {"record_id": 5},
            "m.yaml, field 'record_id': expected a column name or a list of column names",
        ),
        ({"targets": []}, "m.yaml, field 'targets': expected a non-empty list of targets"),
        (
            {"targets": [{"table": "staged_people"}]},
            "m.yaml, field 'targets[0].table': unknown table 'staged_people' (staged tables: "
            "staged_event, staged_location, staged_object, staged_person_mention)",
        ),
        (
            {
                "targets": [
                    {
                        "table": "staged_event",
                        "event": {"type": "crime", "reference": "Ref"},
                        "fields": {"occurred_from": {"column": "D", "cleaner": "dat"}},
                    }
                ]
            },
            "m.yaml, field 'targets[0].fields.occurred_from': unknown cleaner 'dat' (known: bool, "
            "classification, code, cro, date, email, forename, forename_surname, grading, "
            "handling_code, integer, lower, name, number, offence_code, phone, pnc, postcode, "
            "surname, surname_forename, text, upper)",
        ),
        (
            {
                "targets": [
                    {
                        "table": "staged_event",
                        "event": {"type": "crime", "reference": "Ref"},
                        "fields": {
                            "occurred_from": {"column": "D", "cleaner": "date", "fromats": ["%d"]}
                        },
                    }
                ]
            },
            "m.yaml, field 'targets[0].fields.occurred_from': unknown option 'fromats' for cleaner "
            "'date' (options: formats, partial)",
        ),
        (
            {
                "targets": [
                    {
                        "table": "staged_event",
                        "event": {"type": "crime", "reference": "Ref"},
                        "fields": {"event_id": "X"},
                    }
                ]
            },
            "m.yaml, field 'targets[0].fields.event_id': staged_event has no column "
            "'event_id' that a mapping may set",
        ),
        (
            {
                "targets": [
                    {"table": "staged_event", "event": {"type": "heist", "reference": "Ref"}}
                ]
            },
            "m.yaml, field 'targets[0].event.type': unknown event type 'heist' (known: crime, "
            "intelligence, missing_episode, custody, visor, operation, advert, payment, "
            "partner_call, partner_account)",
        ),
        (
            {"targets": [{"table": "staged_person_mention", "slot": "person"}]},
            "m.yaml, field 'targets[0]': a person mention target needs a 'role' field or constant",
        ),
        (
            {
                "targets": [
                    {"table": "staged_event", "event": {"type": "crime", "reference": "Ref"}},
                    {
                        "table": "staged_object",
                        "object_type": "phone",
                        "slot": "nobody",
                        "fields": {"value": "P"},
                    },
                ]
            },
            "m.yaml, field 'targets[1].slot': no person mention target has slot 'nobody'",
        ),
        (
            {"provenance": {"grading": {"column": "G", "cleaner": "text"}}},
            "m.yaml, field 'provenance.grading': uses the 'grading' cleaner",
        ),
    ],
)
def test_structural_errors_name_the_mapping_and_key(change: dict[str, Any], message: str) -> None:
    assert _error(_base(**change)) == message


def test_unreadable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("targets: [unclosed\n")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert str(info.value).startswith("bad.yaml: not valid YAML: ")


def test_file_patterns() -> None:
    assert pattern_regex("forces/{force}/crime.csv").fullmatch("forces/cambs/crime.csv")
    assert not pattern_regex("forces/{force}/crime.csv").fullmatch("forces/a/b/crime.csv")
    assert pattern_regex("exports/*.csv").fullmatch("exports/2024-05.csv")


def test_shipped_mappings_cover_every_synthetic_export(mappings: dict[str, Mapping]) -> None:
    # the export formats are read here only to check coverage; ingest never reads them
    formats = load_formats()
    expected = {(system, kind) for system, spec in formats.items() for kind in spec.files}
    assert {(m.source_system, m.kind) for m in mappings.values()} == expected
    for m in mappings.values():
        fmt = formats[m.source_system].files[m.kind]
        assert set(m.columns_used()) <= set(fmt.header()), m.name
        assert m.reader.format == fmt.file_type, m.name
        assert m.match(f"{m.files[0].split('{force}')[0]}x/{fmt.name}") == {"force": "x"}


def test_docs_describe_every_cleaner() -> None:
    from toex.ingest.cleaners import CLEANERS

    text = (Path(__file__).parents[2] / "docs" / "ingest.md").read_text()
    missing = [name for name in CLEANERS if f"`{name}`" not in text]
    assert missing == [], f"docs/ingest.md does not describe cleaners {missing}"
