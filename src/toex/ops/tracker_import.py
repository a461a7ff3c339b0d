"""CSV bulk import of tracker records, with row accounting.

One file holds one kind of record (``operations.csv``, ``aars.csv``, ...; the columns are in
:mod:`toex.ops.tracker_rows`). Every data row is either saved (inserted, updated or found
unchanged) or rejected with a message naming its row and each bad field; the good rows are
saved whatever the bad ones are, and ``rows read = inserted + updated + unchanged +
rejected``. Re-importing a file changes nothing (records are keyed by ``reference``). A
directory is imported kind by kind, operations first, so AARs may refer to operations in the
same directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from toex.errors import InputError
from toex.ops.db import OpsStore
from toex.ops.tracker_rows import (
    CHILD_DATE,
    KINDS,
    FieldProblem,
    Record,
    RowProblems,
    RowRules,
    columns,
    force_lookup,
    missing_columns,
    parse_row,
)
from toex.ops.tracker_store import Actor, operation_forces, operation_index, save_records

MAX_ROWS = 200_000


@dataclass(frozen=True)
class RejectedRow:
    """A data row (1-based, the header not counted) that was not saved, and why."""

    row: int
    reference: str
    problems: tuple[FieldProblem, ...]

    @property
    def message(self) -> str:
        """``row N, field F: message`` for each bad field."""
        return "; ".join(f"row {self.row}, field {p.field}: {p.message}" for p in self.problems)


@dataclass
class ImportReport:
    """What one file's import did."""

    kind: str
    source: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    audit_id: int | None = None

    @property
    def accounted(self) -> bool:
        """Whether every row read is saved or rejected, once."""
        saved = self.inserted + self.updated + self.unchanged
        return self.rows_read == saved + len(self.rejected)


def rules_for(forces: list[tuple[str, str]], today: dt.date | None = None) -> RowRules:
    """The row rules for the catalogue's ``(code, short name)`` forces as of ``today``."""
    return RowRules(force_lookup(forces), today or dt.date.today())


def kind_of(path: Path) -> str:
    """The record kind a file holds, from its name (``aars.csv`` holds AARs)."""
    kind = path.stem.lower()
    if kind not in KINDS:
        raise InputError(f"{path.name}: the file name must be one of {', '.join(KINDS)} (.csv)")
    return kind


def _check_links(
    kind: str, rec: Record, ops: dict[str, tuple[int, dt.date]], seen_ops: dict[str, dt.date]
) -> list[FieldProblem]:
    """Problems of a record against the stored operations (references and dates)."""
    ref = rec.get("operation_reference")
    if kind == "operations" or not ref:
        return []
    opened = seen_ops.get(ref) or (ops[ref][1] if ref in ops else None)
    if opened is None:
        return [FieldProblem("operation_reference", "unknown_operation", f"no operation {ref!r}")]
    day = rec[CHILD_DATE[kind]]
    if kind != "requests" and day < opened:
        return [
            FieldProblem(
                CHILD_DATE[kind], "date_order", f"{day} is before the operation opened ({opened})"
            )
        ]
    return []


def _check_scope(
    kind: str, rec: Record, op_forces: dict[str, set[str]], allowed: frozenset[str]
) -> list[FieldProblem]:
    """A problem if the record's operation lies outside the writer's forces."""
    if kind == "operations":
        if rec["lead_force"] not in allowed:
            return [FieldProblem("lead_force", "out_of_scope", "is not a force you may write for")]
        old = op_forces.get(rec["reference"])
        if old is not None and not old & allowed:
            return [FieldProblem("reference", "out_of_scope", "is an operation of other forces")]
        return []
    ref = rec.get("operation_reference")
    if ref and ref in op_forces and not op_forces[ref] & allowed:
        return [
            FieldProblem(
                "operation_reference", "out_of_scope", f"{ref!r} covers none of your forces"
            )
        ]
    return []


def check_rows(
    store: OpsStore,
    kind: str,
    rows: list[dict[str, str]],
    rules: RowRules,
    allowed_forces: frozenset[str] | None = None,
) -> tuple[list[Record], list[RejectedRow]]:
    """The good records of ``rows`` and the rejected rows (numbered from 1). With
    ``allowed_forces``, a row is also rejected unless its operation (an operation's lead
    force; a child record's operation's forces) lies in those forces."""
    with store.session() as session:
        ops = operation_index(session)
        op_forces = operation_forces(session) if allowed_forces is not None else {}
    good: list[Record] = []
    bad: list[RejectedRow] = []
    refs: set[str] = set()
    for n, raw in enumerate(rows, start=1):
        ref = (raw.get("reference") or "").strip()
        if None in raw or any(v is None for v in raw.values()):
            bad.append(
                RejectedRow(
                    n,
                    ref,
                    (
                        FieldProblem(
                            "*", "field_count", "has a different number of fields from the header"
                        ),
                    ),
                )
            )
            continue
        try:
            rec = parse_row(kind, raw, rules)
        except RowProblems as exc:
            bad.append(RejectedRow(n, ref, tuple(exc.problems)))
            continue
        problems = _check_links(kind, rec, ops, {})
        if allowed_forces is not None:
            problems += _check_scope(kind, rec, op_forces, allowed_forces)
        if rec["reference"] in refs:
            problems.append(
                FieldProblem("reference", "duplicate_reference", f"{ref!r} is repeated above")
            )
        if problems:
            bad.append(RejectedRow(n, ref, tuple(problems)))
            continue
        refs.add(rec["reference"])
        good.append(rec)
    return good, bad


def import_text(
    store: OpsStore,
    kind: str,
    text: str,
    actor: Actor,
    rules: RowRules,
    allowed_forces: frozenset[str] | None = None,
) -> ImportReport:
    """Import one CSV text of ``kind``; returns its report (rows, outcomes, rejections).
    ``allowed_forces`` limits it to operations of those forces (the web's importer)."""
    report = ImportReport(kind, actor.source)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InputError(f"{actor.source}: the file is empty (no header row)")
    reader.fieldnames = header
    lacking = missing_columns(kind, header)
    if lacking:
        raise InputError(f"{actor.source}: the header lacks the column(s) {', '.join(lacking)}")
    extra = [h for h in header if h not in columns(kind)]
    if extra:
        report.notes.append(f"column(s) ignored: {', '.join(extra)}")
    rows = []
    for raw in reader:
        rows.append(raw)
        if len(rows) > MAX_ROWS:
            raise InputError(f"{actor.source}: more than {MAX_ROWS} rows; split the file")
    return import_rows(store, kind, rows, actor, rules, allowed_forces, report)


def import_rows(
    store: OpsStore,
    kind: str,
    rows: list[dict[str, str]],
    actor: Actor,
    rules: RowRules,
    allowed_forces: frozenset[str] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Check and save rows of strings (a CSV file's, a form's, an API call's): the good
    ones saved in one audited transaction, the bad ones reported by row and field."""
    report = report or ImportReport(kind, actor.source)
    report.rows_read = len(rows)
    good, report.rejected = check_rows(store, kind, rows, rules, allowed_forces)
    result = save_records(store, kind, good, actor)
    report.inserted = len(result.inserted)
    report.updated = len(result.updated)
    report.unchanged = len(result.unchanged)
    report.audit_id = result.audit_id
    return report


def import_path(
    store: OpsStore, path: Path, actor: Actor, rules: RowRules, kind: str | None = None
) -> list[ImportReport]:
    """Import a CSV file (its kind from its name unless ``kind`` is given) or every
    ``<kind>.csv`` of a directory, operations first."""
    path = Path(path)
    if path.is_dir():
        files = [path / f"{k}.csv" for k in KINDS if (path / f"{k}.csv").exists()]
        if not files:
            raise InputError(f"{path}: no tracker files ({', '.join(KINDS)} .csv)")
        return [r for f in files for r in import_path(store, f, actor, rules)]
    if not path.exists():
        raise InputError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8-sig")
    named = Actor(actor.username, actor.organisation, actor.client, path.name)
    return [import_text(store, kind or kind_of(path), text, named, rules)]
