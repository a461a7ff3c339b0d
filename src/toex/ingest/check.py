"""``toex mapping check``: how a file maps, before any load.

Runs the whole load in a throw-away in-memory DuckDB and reports column coverage (mapped,
unmapped, missing), a sample of raw -> cleaned values per field, the rows that would be
quarantined, the value issues, and any structural error the load would raise.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from toex.errors import InputError
from toex.ingest import staging_sql as q
from toex.ingest.loader import FileReport, load_file
from toex.ingest.mapping import Mapping
from toex.ingest.readers import open_reading

CHECK_FORCE = "check"


@dataclass
class CheckReport:
    """What ``mapping check`` found for one mapping and one file."""

    mapping: str
    file: str
    mapped: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    report: FileReport | None = None
    samples: list[tuple[str, str, str]] = field(default_factory=list)
    quarantine: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    quarantine_counts: dict[str, int] = field(default_factory=dict)
    issues: list[tuple[str, str, int, str]] = field(default_factory=list)
    error: str | None = None


def check_mapping(
    mapping: Mapping,
    path: Path,
    force: str | None = None,
    sample: int = 3,
    max_quarantine: int = 20,
) -> CheckReport:
    """Dry-run ``mapping`` over ``path``; structural errors are reported, not raised."""
    out = CheckReport(mapping.name, path.name)
    used = mapping.columns_used()
    try:
        with tempfile.TemporaryDirectory(prefix="toex-check-") as workdir:
            reading = open_reading(path, path.name, mapping.reader, Path(workdir), wanted=used)
            columns = reading.columns
    except InputError as exc:
        out.error = str(exc)
        return out
    out.mapped = [c for c in columns if c in used]
    out.unmapped = [c for c in columns if c not in used]
    out.missing = [c for c in used if c not in columns]
    con = duckdb.connect()
    try:
        out.report = load_file(
            con,
            mapping,
            path,
            path.name,
            force or mapping.force or CHECK_FORCE,
            "check",
            keep_temp=True,
        )
    except InputError as exc:
        out.error = str(exc)
        con.close()
        return out
    plan = q.Plan(
        mapping, {c: i for i, c in enumerate(columns)}, CHECK_FORCE, path.name, "check", False
    )
    for slot in plan.fields:
        cleaned = f"{slot.alias}_value"
        rows = con.execute(
            f"SELECT DISTINCT {slot.alias}, CAST({cleaned} AS VARCHAR) FROM ingest_clean "
            f"WHERE {slot.alias} IS NOT NULL ORDER BY 1 LIMIT {int(sample)}"
        ).fetchall()
        for raw, value in rows:
            out.samples.append((slot.label, str(raw), "" if value is None else str(value)))
    out.quarantine = [
        (int(r[0]), str(r[1] or ""), str(r[2] or ""), str(r[3]), str(r[4]))
        for r in con.execute(
            "SELECT source_row, field, raw_value, reason_code, reason "
            f"FROM raw_quarantine ORDER BY source_row LIMIT {int(max_quarantine)}"
        ).fetchall()
    ]
    out.quarantine_counts = {
        str(k): int(v)
        for k, v in con.execute(
            "SELECT reason_code, count(*) FROM raw_quarantine GROUP BY 1 ORDER BY 1"
        ).fetchall()
    }
    out.issues = [
        (str(a), str(b), int(c), str(d or ""))
        for a, b, c, d in con.execute(
            "SELECT field, reason_code, rows, example FROM raw_value_issue ORDER BY field"
        ).fetchall()
    ]
    con.close()
    return out
