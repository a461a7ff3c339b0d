"""Running SQL steps: the one place the link stage touches a database connection.

SQL builders elsewhere in :mod:`toex.link` are pure: they return :class:`Step` lists
(``sql`` and ``output_table_name``, as Splink does). :func:`run_steps` materialises them in
order on a DuckDB connection; :func:`raw_connection` accepts either an Ibis DuckDB backend
or a raw ``duckdb`` connection, so the web app and the pipeline can both call the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

INTERMEDIATE_PREFIX = "_link_"
"""Intermediate tables of the link stage share this prefix and are dropped at the end."""

PARTITION_MARK = "/*partition*/ TRUE"
"""Where a partitioned step's SQL takes its partition filter."""


@dataclass(frozen=True)
class Step:
    """One SQL statement whose result is materialised as ``output_table_name``.

    ``partition_key`` with ``partitions`` > 1 runs the statement once per partition (the
    :data:`PARTITION_MARK` in ``sql`` becomes ``hash(key) % partitions = i``) and appends the
    results, bounding the memory of big aggregations. ``drop`` names intermediate tables no
    longer needed once this step is done.
    """

    sql: str
    output_table_name: str
    partition_key: str | None = None
    partitions: int = 1
    drop: tuple[str, ...] = ()


def raw_connection(con: Any) -> duckdb.DuckDBPyConnection:
    """The raw DuckDB connection behind ``con`` (an Ibis DuckDB backend or a duckdb one)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con
    inner = getattr(con, "con", None)
    if isinstance(inner, duckdb.DuckDBPyConnection):
        return inner
    raise TypeError(f"expected a DuckDB connection or Ibis DuckDB backend, got {type(con)!r}")


def run_steps(con: duckdb.DuckDBPyConnection, steps: list[Step]) -> None:
    """Materialise each step as a table, replacing any table of that name.

    Intermediate (``_link_``) tables are temporary: never written to the snapshot file.
    """
    for step in steps:
        temp = "TEMP " if step.output_table_name.startswith(INTERMEDIATE_PREFIX) else ""
        parts = step.partitions if step.partition_key else 1
        for i in range(parts):
            where = f"hash({step.partition_key}) % {parts} = {i}" if parts > 1 else "TRUE"
            sql = step.sql.replace(PARTITION_MARK, where)
            if i == 0:
                con.execute(f"CREATE OR REPLACE {temp}TABLE {step.output_table_name} AS\n{sql}")
            else:
                con.execute(f"INSERT INTO {step.output_table_name}\n{sql}")
        for name in step.drop:
            con.execute(f"DROP TABLE IF EXISTS {name}")


def table_exists(con: duckdb.DuckDBPyConnection, name: str, schema: str | None = None) -> bool:
    """Whether a table (or view) called ``name`` exists, in ``schema``'s catalog if given."""
    if schema is None:
        rows = con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND database_name = "
            "current_database() UNION ALL SELECT 1 FROM duckdb_views() WHERE view_name = ? "
            "AND database_name = current_database()",
            [name, name],
        ).fetchall()
    else:
        rows = con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE table_name = ? AND database_name = ?",
            [name, schema],
        ).fetchall()
    return bool(rows)


def drop_intermediate(con: duckdb.DuckDBPyConnection, keep: tuple[str, ...] = ()) -> None:
    """Drop every intermediate ``_link_`` table (temporary or of the current database)
    except those named in ``keep``."""
    rows = con.execute(
        "SELECT database_name, table_name FROM duckdb_tables() "
        "WHERE database_name IN ('temp', current_database()) AND starts_with(table_name, ?)",
        [INTERMEDIATE_PREFIX],
    ).fetchall()
    for database, name in rows:
        if name not in keep:
            con.execute(f"DROP TABLE IF EXISTS {database}.{name}")


def sql_literal(value: object) -> str:
    """A SQL literal for a string, number, bool or None (strings quoted and escaped)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    text = str(value).replace("'", "''")
    return f"'{text}'"


def values_sql(rows: list[tuple[object, ...]], names: str) -> str:
    """A ``SELECT * FROM (VALUES ...) AS t(names)`` relation of literal rows (non-empty)."""
    body = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in rows)
    return f"SELECT * FROM (VALUES {body}) AS t({names})"
