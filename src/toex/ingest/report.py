"""The reconciliation of a load, as data and as a Rich table."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from toex.errors import ReconciliationError
from toex.ingest.check import CheckReport
from toex.ingest.loader import FileReport
from toex.ingest.stage import FileFailure


def unbalanced(reports: Sequence[FileReport]) -> list[FileReport]:
    """The files whose rows read differ from rows loaded plus quarantined."""
    return [r for r in reports if not r.balanced]


def check_balanced(reports: Sequence[FileReport]) -> None:
    """Raise :class:`ReconciliationError` naming every file that does not balance."""
    bad = unbalanced(reports)
    if bad:
        details = "; ".join(
            f"{r.source_file}: read {r.rows_read}, loaded {r.rows_loaded}, "
            f"quarantined {r.rows_quarantined}"
            for r in bad
        )
        raise ReconciliationError(f"{len(bad)} file(s) do not balance: {details}")


def failure_lines(failed: Sequence[FileFailure]) -> list[str]:
    """One line per file quarantined whole: its reason code and message."""
    return [f"file quarantined whole ({f.reason_code}): {f.reason}" for f in failed]


def reconciliation_table(
    reports: Sequence[FileReport], failed: Sequence[FileFailure] = ()
) -> Table:
    """One row per file: rows read = loaded + quarantined, with new/updated/unchanged; a
    file quarantined whole has a row saying so."""
    table = Table(title="Ingest reconciliation (read = loaded + quarantined)")
    for name in (
        "file",
        "mapping",
        "read",
        "loaded",
        "quarantined",
        "new",
        "updated",
        "unchanged",
        "value issues",
        "status",
    ):
        table.add_column(
            name, justify="right" if name not in ("file", "mapping", "status") else "left"
        )
    totals = [0] * 7
    for r in reports:
        status = (
            "skipped (same file)"
            if r.skipped_as
            else "balanced"
            if r.balanced
            else "DOES NOT BALANCE"
        )
        figures = [
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.rows_new,
            r.rows_updated,
            r.rows_unchanged,
            r.value_issues,
        ]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        table.add_row(r.source_file, r.mapping, *(f"{f:,}" for f in figures), status)
    for f in failed:
        table.add_row(f.source_file, f.mapping, *("-" * 7), f"QUARANTINED ({f.reason_code})")
    if len(reports) > 1:
        table.add_row(
            "total",
            "",
            *(f"{t:,}" for t in totals),
            "balanced" if not unbalanced(reports) else "DOES NOT BALANCE",
        )
    return table


def check_renderables(check: CheckReport) -> list[Table | str]:
    """What ``toex mapping check`` prints: coverage, samples, quarantine, issues, error."""
    out: list[Table | str] = [f"mapping {check.mapping} on {check.file}"]
    coverage = Table(title="Column coverage")
    coverage.add_column("status")
    coverage.add_column("columns")
    coverage.add_row("mapped", ", ".join(check.mapped) or "-")
    coverage.add_row("unmapped (ignored)", ", ".join(check.unmapped) or "-")
    coverage.add_row("missing (mapped, not in file)", ", ".join(check.missing) or "-")
    out.append(coverage)
    if check.error:
        out.append(f"error: {check.error}")
        return out
    if check.report is not None:
        r = check.report
        out.append(
            f"rows read {r.rows_read:,} = loaded {r.rows_loaded:,} + quarantined "
            f"{r.rows_quarantined:,}; value issues {r.value_issues:,}"
        )
        out.extend(f"note: {n}" for n in r.notes)
    samples = Table(title="Sample of cleaned values")
    for name in ("field", "raw", "cleaned"):
        samples.add_column(name)
    for label, raw, value in check.samples:
        samples.add_row(label, raw, value or "(null)")
    out.append(samples)
    if check.quarantine:
        quarantine = Table(
            title="Rows that would be quarantined "
            f"({', '.join(f'{k} {v}' for k, v in check.quarantine_counts.items())})"
        )
        for name in ("row", "field", "raw value", "reason code", "reason"):
            quarantine.add_column(name)
        for row, fld, raw, code, reason in check.quarantine:
            quarantine.add_row(str(row), fld, raw, code, reason)
        out.append(quarantine)
    if check.issues:
        issues = Table(
            title="Values that would be cleaned to null, or markings restricted (not quarantined)"
        )
        for name in ("field", "reason code", "rows", "example"):
            issues.add_column(name)
        for fld, code, rows, example in check.issues:
            issues.add_row(fld, code, f"{rows:,}", example)
        out.append(issues)
    return out
