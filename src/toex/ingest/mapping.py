"""Mappings: YAML files that say how one export format becomes staged POLE rows.

A mapping is data, not code (see ``docs/ingest.md`` for the reference). :func:`load_mapping`
reads and validates one strictly: an unknown key, table, column, cleaner or cleaner option is
a :class:`~toex.errors.MappingError` naming the mapping and the key. :meth:`Mapping.check_columns`
then checks a file's header has every column the mapping reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from toex.errors import MappingError
from toex.ingest.cleaners import Cleaner, CleanerOptionError, make_cleaner
from toex.ingest.readers import FORMATS, ReaderOptions
from toex.model.enums import EventType, ObjectType
from toex.model.tables import PROVENANCE, STAGED_TABLES, TableSpec

TOP_KEYS = {
    "name",
    "description",
    "source_system",
    "kind",
    "force",
    "files",
    "export",
    "reader",
    "record_id",
    "provenance",
    "targets",
}
EXPORT_KINDS = ("incremental", "full")
READER_KEYS = {"format", "encoding", "delimiter", "quote", "sheet"}
TARGET_KEYS = {
    "table",
    "fields",
    "constants",
    "slot",
    "event",
    "object_type",
    "relation",
    "when_any",
    "attributes",
}
FIELD_KEYS = {"column", "columns", "sep", "cleaner", "required", "default"}
PROVENANCE_CLEANERS = {
    "handling_code": "handling_code",
    "classification": "classification",
    "grading": "grading",
}
#: What a mapping without a marking column gives every row (a partner's or a person file's).
PROVENANCE_DEFAULTS = {"handling_code": "P", "classification": "OFFICIAL"}
#: The provenance fields that are protective markings: read fail-closed (see ``cleaners``).
MARKINGS = ("handling_code", "classification")
STAGED: dict[str, TableSpec] = {t.name: t for t in STAGED_TABLES}
ID_COLUMNS = {
    "staged_event": "event_id",
    "staged_person_mention": "mention_id",
    "staged_object": "object_id",
    "staged_location": "location_id",
}
# columns the loader fills itself; a mapping may not set them
GENERATED = (
    {c.name for c in PROVENANCE}
    | set(ID_COLUMNS.values())
    | {
        "event_type",
        "reference",
        "slot",
        "object_type",
        "relation",
        "attributes",
        "mention_id",
        "event_id",
    }
)


@dataclass(frozen=True)
class FieldSpec:
    """One target field: source column(s), cleaner, whether required, default value."""

    target: str
    columns: tuple[str, ...]
    cleaner: Cleaner
    required: bool = False
    default: str | None = None
    sep: str = " "


@dataclass(frozen=True)
class EventLink:
    """The event a target row belongs to: its type and the column holding its reference."""

    type: str
    reference: str


@dataclass(frozen=True)
class TargetSpec:
    """Rows of one staged table made from each source record."""

    table: str
    fields: tuple[FieldSpec, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict)
    slot: str | None = None
    event: EventLink | None = None
    object_type: str | None = None
    relation: str | None = None
    when_any: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What distinguishes this target's rows of one record from other targets' rows."""
        return ":".join(p or "" for p in (self.table, self.object_type, self.relation, self.slot))


@dataclass(frozen=True)
class Mapping:
    """A validated mapping."""

    name: str
    source: str
    source_system: str
    kind: str
    reader: ReaderOptions
    record_id: tuple[str, ...]
    targets: tuple[TargetSpec, ...]
    provenance: dict[str, FieldSpec] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    force: str | None = None
    description: str = ""
    #: ``incremental`` (records missing from a file are kept) or ``full`` (each file holds
    #: every current record of its kind for its force: records missing from it are deleted).
    export: str = "incremental"

    def columns_used(self) -> list[str]:
        """Every source column the mapping reads, in first-use order."""
        cols: list[str] = list(self.record_id)
        for spec in self.provenance.values():
            cols += spec.columns
        for t in self.targets:
            if t.event:
                cols.append(t.event.reference)
            for f in t.fields:
                cols += f.columns
            cols += t.when_any
            cols += t.attributes.values()
        return list(dict.fromkeys(cols))

    def check_columns(self, columns: Iterable[str], file: str, delimiter: str | None) -> None:
        """:class:`MappingError` naming ``file`` and every mapped column its header lacks."""
        have = set(columns)
        missing = [c for c in self.columns_used() if c not in have]
        if not missing:
            return
        names = ", ".join(repr(c) for c in missing)
        message = f"{file}: missing column{'s' if len(missing) > 1 else ''} {names}"
        cols = list(columns)
        if delimiter is not None and len(cols) == 1:
            message += (
                f" (the header reads as one column with delimiter {delimiter!r}: "
                "is that the file's delimiter?)"
            )
        raise MappingError(message, mapping=self.source)

    def match(self, relative: str) -> dict[str, str] | None:
        """The placeholders (``{force}``) if ``relative`` matches one of the file patterns."""
        for pattern in self.files:
            m = pattern_regex(pattern).fullmatch(relative)
            if m:
                return m.groupdict()
        return None


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A file pattern (``forces/{force}/crime.csv``, ``*`` wildcards) as a regex."""
    out = ""
    for part in re.split(r"(\{\w+\}|\*)", pattern):
        if part == "*":
            out += "[^/]*"
        elif part.startswith("{") and part.endswith("}"):
            out += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            out += re.escape(part)
    return re.compile(out)


class _Checker:
    """Structural validation with messages naming the mapping and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str | None, message: str) -> MappingError:
        """A MappingError naming the mapping and the key path ``where``."""
        return MappingError(message, mapping=self.source, field=where)

    def keys(self, data: Any, allowed: set[str], where: str | None) -> dict[str, Any]:
        """``data`` as a dict whose keys are all in ``allowed``."""
        if not isinstance(data, dict):
            raise self.fail(where, f"expected a mapping of keys, found {type(data).__name__}")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise self.fail(
                where, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
            )
        return data

    def text(
        self,
        data: dict[str, Any],
        key: str,
        where: str,
        required: bool = True,
    ) -> str | None:
        """The non-empty string at ``data[key]`` (``None`` if absent and optional)."""
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing required key {key!r}")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
            raise self.fail(f"{where}.{key}" if where else key, "expected a non-empty string")
        return str(value)

    def names(self, value: Any, where: str) -> tuple[str, ...]:
        """One column name or a list of them, as a tuple."""
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(where, "expected a column name or a list of column names")


def _field(
    ck: _Checker,
    name: str,
    data: Any,
    where: str,
    default_cleaner: str = "text",
) -> FieldSpec:
    if isinstance(data, str):
        data = {"column": data}
    if not isinstance(data, dict):
        raise ck.fail(where, "expected a column name or a mapping with 'column'")
    data = dict(data)
    cleaner_name = str(data.pop("cleaner", default_cleaner))
    options = {k: v for k, v in data.items() if k not in FIELD_KEYS}
    base = {k: v for k, v in data.items() if k in FIELD_KEYS}
    if "column" in base and "columns" in base:
        raise ck.fail(where, "give 'column' or 'columns', not both")
    if "column" not in base and "columns" not in base:
        raise ck.fail(where, "missing required key 'column'")
    columns = ck.names(base.get("column", base.get("columns")), f"{where}.column")
    try:
        cleaner = make_cleaner(cleaner_name, options)
    except CleanerOptionError as exc:
        raise ck.fail(where, str(exc)) from None
    required = base.get("required", False)
    if not isinstance(required, bool):
        raise ck.fail(f"{where}.required", "expected true or false")
    default = base.get("default")
    return FieldSpec(
        name,
        columns,
        cleaner,
        required,
        None if default is None else str(default),
        str(base.get("sep", " ")),
    )


def _target(ck: _Checker, data: Any, where: str) -> TargetSpec:
    data = ck.keys(data, TARGET_KEYS, where)
    table = ck.text(data, "table", where)
    assert table is not None
    if table not in STAGED:
        raise ck.fail(
            f"{where}.table",
            f"unknown table {table!r} (staged tables: {', '.join(sorted(STAGED))})",
        )
    spec = STAGED[table]
    fields_data = data.get("fields") or {}
    if not isinstance(fields_data, dict):
        raise ck.fail(f"{where}.fields", "expected a mapping of target field to column")
    fields = []
    for name, fdata in fields_data.items():
        fwhere = f"{where}.fields.{name}"
        f = _field(ck, str(name), fdata, fwhere)
        outputs = list(f.cleaner.outputs(f.target))
        if f.cleaner.raw_output and f"{f.target}_raw" in spec.column_names:
            outputs.append(f"{f.target}_raw")
        for col in outputs:
            if col not in spec.column_names or col in GENERATED:
                raise ck.fail(fwhere, f"{table} has no column {col!r} that a mapping may set")
        fields.append(f)
    constants = data.get("constants") or {}
    if not isinstance(constants, dict):
        raise ck.fail(f"{where}.constants", "expected a mapping of column to value")
    for col in constants:
        if col not in spec.column_names or col in GENERATED:
            raise ck.fail(
                f"{where}.constants", f"{table} has no column {col!r} that a mapping may set"
            )
    event = None
    if data.get("event") is not None:
        edata = ck.keys(data["event"], {"type", "reference"}, f"{where}.event")
        etype = ck.text(edata, "type", f"{where}.event")
        if etype not in {e.value for e in EventType}:
            raise ck.fail(
                f"{where}.event.type",
                f"unknown event type {etype!r} (known: {', '.join(e.value for e in EventType)})",
            )
        ref = ck.text(edata, "reference", f"{where}.event")
        assert etype is not None and ref is not None
        event = EventLink(etype, ref)
    slot = ck.text(data, "slot", where, required=table == "staged_person_mention")
    object_type = ck.text(data, "object_type", where, required=table == "staged_object")
    if object_type is not None and object_type not in {o.value for o in ObjectType}:
        raise ck.fail(
            f"{where}.object_type",
            f"unknown object type {object_type!r} "
            f"(known: {', '.join(o.value for o in ObjectType)})",
        )
    if table == "staged_event" and event is None:
        raise ck.fail(where, "an event target needs 'event: {type, reference}'")
    if (
        table == "staged_person_mention"
        and "role" not in constants
        and "role" not in {f.target for f in fields}
    ):
        raise ck.fail(where, "a person mention target needs a 'role' field or constant")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise ck.fail(f"{where}.attributes", "expected a mapping of attribute name to column")
    if attributes and "attributes" not in spec.column_names:
        raise ck.fail(f"{where}.attributes", f"{table} has no attributes column")
    when_any = ck.names(data["when_any"], f"{where}.when_any") if data.get("when_any") else ()
    return TargetSpec(
        table,
        tuple(fields),
        dict(constants),
        slot,
        event,
        object_type,
        ck.text(data, "relation", where, required=False),
        when_any,
        {str(k): v for k, v in attributes.items()},
    )


def _check_marking(ck: _Checker, key: str, spec: FieldSpec) -> None:
    """A protective marking read from a column must say what an unknown value becomes."""
    where = f"provenance.{key}"
    if spec.default is not None:
        raise ck.fail(
            where,
            "a protective marking has no 'default': an empty value is unknown, and "
            "'unknown: restrict' gives it the most restrictive of 'values'",
        )
    if "unknown" not in spec.cleaner.args:
        raise ck.fail(
            where,
            "say what an empty or unknown marking becomes: 'unknown: restrict' (the most "
            "restrictive of 'values') or 'unknown: quarantine' (the row is quarantined)",
        )


def parse_mapping(data: Any, source: str) -> Mapping:
    """Validate parsed YAML ``data`` from ``source`` (a file name for messages)."""
    ck = _Checker(source)
    data = ck.keys(data, TOP_KEYS, None)
    system = ck.text(data, "source_system", "")
    kind = ck.text(data, "kind", "")
    assert system is not None and kind is not None
    rdata = ck.keys(data.get("reader") or {}, READER_KEYS, "reader")
    fmt = ck.text(rdata, "format", "reader")
    if fmt not in FORMATS:
        raise ck.fail("reader.format", f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    assert fmt is not None
    reader = ReaderOptions(
        fmt,
        ck.text(rdata, "encoding", "reader", False),
        ck.text(rdata, "delimiter", "reader", False),
        ck.text(rdata, "quote", "reader", False) or '"',
        ck.text(rdata, "sheet", "reader", False),
    )
    if "record_id" not in data:
        raise ck.fail(None, "missing required key 'record_id'")
    record_id = ck.names(data["record_id"], "record_id")
    pdata = ck.keys(data.get("provenance") or {}, set(PROVENANCE_CLEANERS), "provenance")
    provenance = {}
    for key, value in pdata.items():
        spec = _field(ck, key, value, f"provenance.{key}", PROVENANCE_CLEANERS[key])
        if spec.cleaner.name != PROVENANCE_CLEANERS[key]:
            raise ck.fail(f"provenance.{key}", f"uses the {PROVENANCE_CLEANERS[key]!r} cleaner")
        if key in MARKINGS:
            _check_marking(ck, key, spec)
        provenance[key] = spec
    tdata = data.get("targets")
    if not isinstance(tdata, list) or not tdata:
        raise ck.fail("targets", "expected a non-empty list of targets")
    targets = tuple(_target(ck, t, f"targets[{i}]") for i, t in enumerate(tdata))
    labels = [t.label for t in targets]
    for label in labels:
        if labels.count(label) > 1:
            raise ck.fail(
                "targets",
                f"two targets make the same rows ({label}): give them "
                "different slot, object_type or relation",
            )
    slots = {t.slot for t in targets if t.table == "staged_person_mention"}
    for i, t in enumerate(targets):
        if t.table != "staged_person_mention" and t.slot and t.slot not in slots:
            raise ck.fail(f"targets[{i}].slot", f"no person mention target has slot {t.slot!r}")
    if targets[0].when_any:
        raise ck.fail("targets[0]", "the first target makes one row per record: no 'when_any'")
    files = data.get("files") or []
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ck.fail("files", "expected a list of file patterns")
    export = ck.text(data, "export", "", False) or "incremental"
    if export not in EXPORT_KINDS:
        raise ck.fail("export", f"expected one of {', '.join(EXPORT_KINDS)}, not {export!r}")
    return Mapping(
        export=export,
        name=ck.text(data, "name", "", False) or Path(source).stem,
        source=source,
        source_system=system,
        kind=kind,
        reader=reader,
        record_id=record_id,
        targets=targets,
        provenance=provenance,
        files=tuple(files),
        force=ck.text(data, "force", "", False),
        description=str(data.get("description") or ""),
    )


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate the mapping YAML at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping: {exc.strerror}", mapping=path.name) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"not valid YAML: {exc}", mapping=path.name) from None
    return parse_mapping(data, path.name)


def shipped_mappings() -> list[Mapping]:
    """The mappings shipped in ``toex/ingest/mappings/``, by name."""
    root = resources.files("toex.ingest").joinpath("mappings")
    out = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            out.append(parse_mapping(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name))
    return out
