"""The export-format contract (``data/formats.yaml``) as typed objects.

Each record system (athena, niche, connect, wmp, visor, asw, toex) writes each file kind in
its own way: file type, encoding, delimiter, date format, boolean/gender/role spellings and a
canonical-field -> column-name map. The generator writes exactly what this file describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from toex.errors import ConfigError

#: Person slots of each file kind and the column prefix of each slot's fields.
SLOTS: dict[str, tuple[tuple[str, str], ...]] = {
    "crime_person": (("person", ""),),
    "intel": (("subject", "subject_"), ("associate", "associate_")),
    "missing": (("person", ""),),
    "custody": (("person", ""),),
    "visor": (("person", ""),),
    "account": (("holder", ""),),
    "payment": (("payer", "payer_"),),
}

#: Canonical person fields a slot may carry.
PERSON_FIELDS = (
    "person_ref",
    "forename",
    "surname",
    "dob",
    "gender",
    "nationality",
    "pnc_id",
    "cro_number",
    "address",
    "postcode",
    "phone",
    "email",
    "age_at_event",
    "display_name",
    "name",
    "ref",
)


@dataclass(frozen=True)
class FileFormat:
    """How one system writes one kind of file."""

    system: str
    kind: str
    name: str
    file_type: str
    encoding: str | None
    delimiter: str | None
    date_format: str
    columns: dict[str, str]
    bool_true: Any
    bool_false: Any
    gender: dict[str, str]
    roles: dict[str, str]

    def slot_fields(self, slot: str) -> frozenset[str]:
        """Canonical person fields this file carries for ``slot`` (prefix removed)."""
        prefix = dict(SLOTS.get(self.kind, ())).get(slot)
        if prefix is None:
            return frozenset()
        out = set()
        for field in self.columns:
            if prefix and field.startswith(prefix):
                out.add(field[len(prefix) :])
            elif not prefix and field in PERSON_FIELDS:
                out.add(field)
        return frozenset(out)

    def header(self) -> list[str]:
        """Column names in file order."""
        return list(self.columns.values())

    def boolean(self, value: bool) -> Any:
        """The system's spelling of a boolean."""
        return self.bool_true if value else self.bool_false


@dataclass(frozen=True)
class SystemFormat:
    """One record system and its files by kind."""

    name: str
    files: dict[str, FileFormat]


def _file(system: str, sys_spec: dict[str, Any], kind: str, spec: dict[str, Any]) -> FileFormat:
    booleans = spec.get("bool", sys_spec.get("bool", {True: True, False: False}))
    file_type = spec.get("file_type", sys_spec["file_type"])
    encoding = (
        None if file_type == "xlsx" else spec.get("encoding", sys_spec.get("encoding", "utf-8"))
    )
    return FileFormat(
        system=system,
        kind=kind,
        name=spec["name"],
        file_type=file_type,
        encoding=encoding,
        delimiter=spec.get("delimiter", sys_spec.get("delimiter")) if file_type == "csv" else None,
        date_format=spec.get("date_format", sys_spec["date_format"]),
        columns=dict(spec["columns"]),
        bool_true=booleans[True],
        bool_false=booleans[False],
        gender=dict(sys_spec.get("gender", {"M": "M", "F": "F", "U": "U"})),
        roles=dict(sys_spec.get("roles", {})),
    )


def parse_formats(data: dict[str, Any]) -> dict[str, SystemFormat]:
    """Build the system formats from the YAML structure of ``formats.yaml``."""
    out = {}
    for system, sys_spec in data["systems"].items():
        try:
            files = {
                kind: _file(system, sys_spec, kind, spec)
                for kind, spec in sys_spec["files"].items()
            }
        except KeyError as exc:
            raise ConfigError(f"formats.yaml: system {system!r}: missing {exc}") from exc
        out[system] = SystemFormat(system, files)
    return out


@cache
def load_formats() -> dict[str, SystemFormat]:
    """The shipped export formats keyed by system name."""
    text = resources.files("toex.synth").joinpath("data/formats.yaml").read_text("utf-8")
    return parse_formats(yaml.safe_load(text))


def file_format(system: str, kind: str) -> FileFormat:
    """The format of ``kind`` files written by ``system``."""
    try:
        return load_formats()[system].files[kind]
    except KeyError:
        raise ConfigError(f"formats.yaml has no {kind!r} file for system {system!r}") from None
