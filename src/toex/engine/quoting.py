"""Quoting of values, file paths and identifiers pasted into SQL text.

Paths and names go into SQL only through these (a data directory named ``o'brien`` must
work); values from data go in as bound parameters wherever the statement allows them.
"""

from __future__ import annotations

from pathlib import Path


def string_literal(value: str) -> str:
    """``value`` as a SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def path_literal(path: str | Path) -> str:
    """A file path as a SQL string literal, in POSIX form."""
    return string_literal(Path(path).as_posix())


def identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'
