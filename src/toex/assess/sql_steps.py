"""Running SQL steps: the thin I/O edge of the assess analytics.

Builders elsewhere in the package are pure: they return lists of :class:`Step`
(``{"sql": ..., "output_table_name": ...}``, as splink does). This module runs them on a
DuckDB connection, either the raw ``duckdb`` connection or the Ibis backend the pipeline
hands over (``ctx.con``). Intermediate tables share the ``assess__`` prefix and are
temporary; output tables (without the double underscore) persist in the snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

import duckdb
import pyarrow as pa

INTERMEDIATE_PREFIX = "assess__"


class Step(TypedDict):
    """One SQL statement whose result becomes ``output_table_name``."""

    sql: str
    output_table_name: str


def raw_connection(con: Any) -> duckdb.DuckDBPyConnection:
    """The ``duckdb`` connection behind ``con`` (an Ibis DuckDB backend or the raw connection)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con
    inner = getattr(con, "con", None)
    if isinstance(inner, duckdb.DuckDBPyConnection):
        return inner
    raise TypeError(f"expected a DuckDB connection or Ibis DuckDB backend, got {type(con)!r}")


def create_table_sql(step: Step) -> str:
    """``CREATE`` statement for a step: temporary for ``assess__`` intermediates."""
    name = step["output_table_name"]
    kind = "TEMP TABLE" if name.startswith(INTERMEDIATE_PREFIX) else "TABLE"
    return f"CREATE OR REPLACE {kind} {name} AS\n{step['sql']}"


def run_steps(con: Any, steps: list[Step]) -> None:
    """Run each step in order, materialising its output table."""
    raw = raw_connection(con)
    for step in steps:
        raw.execute(create_table_sql(step))


def table_exists(con: Any, name: str) -> bool:
    """Whether a table or view called ``name`` exists on the connection."""
    raw = raw_connection(con)
    row = raw.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def query(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a query as plain dicts (dates stay ``datetime.date``)."""
    raw = raw_connection(con)
    cur = raw.execute(sql, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def write_arrow(con: Any, name: str, table: pa.Table) -> None:
    """Replace table ``name`` with the contents of an Arrow table."""
    raw = raw_connection(con)
    raw.register("assess__arrow_in", table)
    try:
        raw.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM assess__arrow_in")
    finally:
        raw.unregister("assess__arrow_in")


def sql_literal(value: object) -> str:
    """A SQL literal for a str, number, bool, date or None (for pure builders)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("'", "''")
    return f"'{text}'"
