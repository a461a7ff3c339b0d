"""Cleaner tests run a cleaner's lookup over a handful of raw values in DuckDB."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from toex.ingest.cleaners import make_cleaner


def clean(name: str, values: list[str], /, **options: Any) -> dict[str, dict[str, Any]]:
    """raw value -> {lookup column: cleaned value} for cleaner ``name``."""
    cleaner = make_cleaner(name, options)
    con = duckdb.connect()
    con.register("raw_values", pa.table({"raw": pa.array(values, pa.string())}))
    cleaner.build_lookup(con, "SELECT DISTINCT raw FROM raw_values", "lk")
    cols = list(cleaner.lookup_types)
    rows = con.execute(f"SELECT raw, {', '.join(cols)} FROM lk").fetchall()
    con.close()
    return {r[0]: dict(zip(cols, r[1:], strict=True)) for r in rows}


def values(name: str, raw: list[str], /, **options: Any) -> list[Any]:
    """The cleaned ``value`` of each raw value, in order."""
    out = clean(name, raw, **options)
    return [out[v]["value"] for v in raw]
