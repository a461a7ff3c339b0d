"""Records deleted at source: what a full export no longer holds is deleted from the warehouse.

A mapping with ``export: full`` declares that each of its files holds every current record of
its kind for its force. After such a file is loaded, the records of the same force, source
system and mapping that it does not hold (not even as a quarantined row) are deleted from the
staged tables, their histories and ``raw_record``: the source deleted them, so toex does too.
Mappings default to ``export: incremental``, where missing records are kept
(docs/decisions.md, section 6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from toex.ingest.cleaners.base import sql_str
from toex.model.tables import STAGED_TABLES

if TYPE_CHECKING:
    from toex.ingest.loader import StagingBuffer
    from toex.ingest.staging_sql import Plan

ABSENT = "ingest_absent"


def absent_records_sql(plan: Plan) -> list[str]:
    """Statements deleting the records of ``plan``'s force, system and mapping that the file
    (``ingest_values``) does not hold; the first builds ``ingest_absent``."""
    m = plan.mapping
    on = (
        "t.force = o.force AND t.source_system = o.source_system "
        "AND t.source_record_id = o.source_record_id"
    )
    out = [
        f"CREATE OR REPLACE TEMP TABLE {ABSENT} AS SELECT record_key, force, source_system, "
        f"source_record_id FROM raw_record WHERE force = {sql_str(plan.force)} "
        f"AND source_system = {sql_str(m.source_system)} AND mapping = {sql_str(m.name)} "
        "AND record_key NOT IN (SELECT record_key FROM ingest_values "
        "WHERE record_key IS NOT NULL)"
    ]
    for spec in STAGED_TABLES:
        for name in (spec.name, f"{spec.name}_history"):
            out.append(f"DELETE FROM {name} t USING {ABSENT} o WHERE {on}")
    out.append(f"DELETE FROM raw_record WHERE record_key IN (SELECT record_key FROM {ABSENT})")
    return out


def delete_absent_records(
    con: duckdb.DuckDBPyConnection, plan: Plan, buffer: StagingBuffer | None
) -> list[str]:
    """Delete what a full export no longer holds (run after the file's rows are staged);
    returns the note for the file's report."""
    if buffer is not None:
        buffer.flush()  # earlier files of this run must be in raw_record to be compared
    steps = absent_records_sql(plan)
    con.execute(steps[0])
    (absent,) = con.execute(f"SELECT count(*) FROM {ABSENT}").fetchone() or (0,)
    if absent:
        for sql in steps[1:]:
            con.execute(sql)
    con.execute(f"DROP TABLE {ABSENT}")
    if not absent:
        return []
    return [f"full export: {absent} record(s) no longer in the source were deleted"]
