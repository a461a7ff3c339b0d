"""The cleaner contract: each cleaner turns distinct raw values into cleaned columns, set-wise.

A mapping field names a cleaner and its options. For a field the loader computes the trimmed
raw value (``NULL`` when blank) of every row, then builds the cleaner's *lookup table* from the
distinct raw values, once each: in SQL (:meth:`Cleaner.lookup_sql`) where DuckDB can do the
work, in Python (:meth:`Cleaner.lookup_python`) where a library is needed. Rows join the lookup
back on the raw value. ``inline`` cleaners (plain text) need no lookup.

Every distinct present raw value has exactly one lookup row. A present value whose lookup
``ok_column`` is ``NULL`` failed to clean: the row is quarantined
with :attr:`Cleaner.reason_code` if the field is required, else the value becomes ``NULL`` and
is counted as an issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

MAX_VALUE_LENGTH = 1_000  # longer values are never a date, name, phone... : a bad value
RAW = "raw"  # in :meth:`Cleaner.outputs`, the trimmed raw value itself


class CleanerOptionError(ValueError):
    """An option given to a cleaner is unknown or of the wrong type."""


class Cleaner:
    """Base class: validates options; subclasses define lookups and outputs."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    reason_code: ClassVar[str] = "bad_value"
    options: ClassVar[Mapping[str, type | tuple[type, ...]]] = {}
    inline: ClassVar[bool] = False
    lookup_types: ClassVar[Mapping[str, str]] = {"value": "VARCHAR"}
    ok_column: str = "value"  # lookup column that is NULL when a present value failed
    raw_output: ClassVar[bool] = True  # fill ``<target>_raw`` when the table has it

    def __init__(self, args: Mapping[str, Any] | None = None) -> None:
        args = dict(args or {})
        for key, value in args.items():
            if key not in self.options:
                allowed = ", ".join(sorted(self.options)) or "none"
                raise CleanerOptionError(
                    f"unknown option {key!r} for cleaner {self.name!r} (options: {allowed})"
                )
            if not isinstance(value, self.options[key]):
                raise CleanerOptionError(
                    f"option {key!r} of cleaner {self.name!r} has the wrong type "
                    f"({type(value).__name__})"
                )
        self.args = args
        self.validate()

    def validate(self) -> None:
        """Check option values beyond their types (override where needed)."""

    def outputs(self, target: str) -> dict[str, str]:
        """Table column -> lookup column (or :data:`RAW`) this cleaner fills for ``target``."""
        return {target: "value"}

    def inline_sql(self, raw: str) -> str:
        """For ``inline`` cleaners: the SQL of the cleaned value from the raw expression."""
        return raw

    def lookup_sql(self, raw: str) -> dict[str, str] | None:
        """Lookup column -> SQL expression over ``raw``; ``None`` for a Python cleaner."""
        return None

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Lookup column -> cleaned values, one per distinct raw value (Python cleaners)."""
        raise NotImplementedError(self.name)

    def build_lookup(self, con: duckdb.DuckDBPyConnection, distinct_sql: str, out: str) -> None:
        """Create table ``out`` (``raw`` + lookup columns) from the raw values ``distinct_sql``."""
        exprs = self.lookup_sql(RAW)
        if exprs is not None:
            cols = ", ".join(
                f"CASE WHEN length({RAW}) <= {MAX_VALUE_LENGTH} THEN "
                f"CAST({sql} AS {self.lookup_types[name]}) END AS {name}"
                for name, sql in exprs.items()
            )
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT {RAW}, {cols} FROM ({distinct_sql})"
            )
            return
        values = [v for (v,) in con.execute(distinct_sql).fetchall()]
        short = [v for v in values if len(v) <= MAX_VALUE_LENGTH]
        long = [v for v in values if len(v) > MAX_VALUE_LENGTH]
        cleaned = self.lookup_python(short)
        # too-long values get a row of NULLs: every present raw value has exactly one row
        arrays = {RAW: pa.array(short + long, pa.string())}
        arrays.update({k: pa.array(v + [None] * len(long)) for k, v in cleaned.items()})
        view = f"{out}_arrow"
        con.register(view, pa.table(arrays))
        try:
            casts = ", ".join(f"CAST({k} AS {t}) AS {k}" for k, t in self.lookup_types.items())
            con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT {RAW}, {casts} FROM {view}")
        finally:
            con.unregister(view)


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_in(values: list[str]) -> str:
    """A SQL ``IN`` list of string literals (``(NULL)`` when empty)."""
    return "(" + (", ".join(sql_str(v) for v in values) or "NULL") + ")"
