"""Running the missing-person and ViSOR profiles and the person warnings on a snapshot.

:func:`run_profiles` is called by the assess stage after the perpetrator ranking (whose
ranks and markings the SOC link and the warnings read); tests and the bench call it on
any DuckDB connection. Writes ``assess_misper``, ``assess_misper_rank``, ``assess_visor``,
``assess_person_warning`` and ``assess_profile_issue``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from toex.assess.misper_profile import EPISODE, MISPER_TABLE, misper_steps
from toex.assess.profile_config import ProfilesConfig, load_profiles_config
from toex.assess.profile_sql import (
    FORCE_POSTCODE,
    FORCE_REGION,
    OFFENCE,
    edge_sql,
    home_sql,
    object_sql,
    person_event_sql,
    soc_person_sql,
)
from toex.assess.sql_steps import Step, raw_connection, run_steps, table_exists
from toex.assess.visor_profile import REG, VISOR_TABLE, visor_steps
from toex.assess.warnings_person import WARNING_TABLE, warning_steps
from toex.config import load_catalogue
from toex.errors import PipelineError
from toex.model import offence_table

log = logging.getLogger(__name__)

ISSUE_TABLE = "assess_profile_issue"
#: Staged, link and assess tables the profiles read, with the empty stand-in used when a snapshot
#: lacks them (a warehouse assessed without the link stage).
STAND_INS = {
    "staged_location": "SELECT NULL::VARCHAR AS location_id, NULL::VARCHAR AS postcode, "
    "NULL::VARCHAR AS mention_id, NULL::VARCHAR AS event_id, NULL::VARCHAR AS relation "
    "WHERE FALSE",
    "staged_object": "SELECT NULL::VARCHAR AS object_id, NULL::VARCHAR AS object_type, "
    "NULL::VARCHAR AS value, NULL::VARCHAR AS mention_id, NULL::VARCHAR AS event_id WHERE FALSE",
    "link_edge": "SELECT NULL::VARCHAR AS person_a, NULL::VARCHAR AS person_b, "
    "NULL::VARCHAR AS edge_type, NULL::BOOLEAN AS hub_only, NULL::VARCHAR[] AS event_ids "
    "WHERE FALSE",
    "link_hub": "SELECT NULL::VARCHAR AS object_type, NULL::VARCHAR AS object_key WHERE FALSE",
    "link_network_member": "SELECT NULL::VARCHAR AS network_id, NULL::VARCHAR AS level, "
    "NULL::VARCHAR AS person_id WHERE FALSE",
    "assess_perpetrator_rank": "SELECT NULL::VARCHAR AS area_type, NULL::VARCHAR AS area, "
    "NULL::VARCHAR AS person_id, NULL::BIGINT AS rank WHERE FALSE",
    "assess_perpetrator_marking": "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS force, "
    "NULL::VARCHAR AS handling_code, NULL::VARCHAR AS classification WHERE FALSE",
}


@dataclass(frozen=True)
class ProfilesResult:
    """What a run of the profiles produced."""

    missing_persons: int
    frequent: int
    registrations: int
    warnings: int
    issues: int


def issue_sql() -> Step:
    """``assess_profile_issue``: the value issues of the profiles' source rows."""
    sql = f"""
WITH ep AS (
  SELECT DISTINCT e.event_id, e.force, e.source_file, e.source_row, e.reference,
    e.occurred_from, e.occurred_to, x.risk_raw, x.risk
  FROM {EPISODE} AS x JOIN staged_event AS e USING (event_id)),
reg AS (SELECT DISTINCT * FROM {REG})
SELECT event_id, force, source_file, source_row, reference, 'occurred_to' AS field,
  CAST(occurred_to AS VARCHAR) AS raw_value, 'end_before_start' AS reason_code,
  'episode ends (' || occurred_to || ') before it starts (' || occurred_from
    || '); end treated as unknown' AS reason
FROM ep WHERE occurred_to < occurred_from
UNION ALL
SELECT event_id, force, source_file, source_row, reference, 'risk_level', risk_raw,
  'unknown_risk', 'risk ' || '''' || risk_raw || '''' || ' is not an APP risk level'
FROM ep WHERE risk_raw IS NOT NULL AND risk IS NULL
UNION ALL
SELECT event_id, force, source_file, source_row, reference, 'mappa_category', category_raw,
  'unknown_mappa_category', 'MAPPA category ' || '''' || category_raw || '''' || ' is unknown'
FROM reg WHERE category_raw IS NOT NULL AND mappa_category IS NULL
UNION ALL
SELECT event_id, force, source_file, source_row, reference, 'mappa_level', level_raw,
  'unknown_mappa_level', 'MAPPA level ' || '''' || level_raw || '''' || ' is unknown'
FROM reg WHERE level_raw IS NOT NULL AND mappa_level IS NULL
UNION ALL
SELECT event_id, force, source_file, source_row, reference, 'risk_level', rosh_raw,
  'unknown_rosh', 'RoSH ' || '''' || rosh_raw || '''' || ' is unknown'
FROM reg WHERE rosh_raw IS NOT NULL AND rosh IS NULL
ORDER BY force, source_file, source_row, field"""
    return {"sql": sql, "output_table_name": ISSUE_TABLE}


def shared_steps(cfg: ProfilesConfig, mention_person: str) -> list[Step]:
    """The steps both profiles read: persons' records, homes, objects, edges, SOC persons."""
    return [
        person_event_sql(mention_person),
        home_sql(mention_person, cfg.misper.max_persons_per_address),
        object_sql(mention_person),
        edge_sql(),
        soc_person_sql(cfg.misper.soc_offence_codes, cfg.misper.priority_top),
    ]


def profile_steps(cfg: ProfilesConfig, as_of: dt.date, mention_person: str) -> list[Step]:
    """Every step of the profiles and warnings, in order."""
    return [
        *shared_steps(cfg, mention_person),
        *misper_steps(cfg.misper, as_of, mention_person),
        *visor_steps(cfg, as_of, mention_person),
        *warning_steps(cfg, as_of),
        issue_sql(),
    ]


def _temp_arrow(con: Any, name: str, table: pa.Table) -> None:
    raw = raw_connection(con)
    raw.register("assess__pf_arrow_in", table)
    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM assess__pf_arrow_in")
    finally:
        raw.unregister("assess__pf_arrow_in")


def write_reference_tables(con: Any, catalogue_path: Path | None = None) -> None:
    """The force/region/postcode-area and offence tables the builders join (temporary)."""
    cat = load_catalogue(catalogue_path)
    forces = cat.forces
    _temp_arrow(
        con,
        FORCE_REGION,
        pa.table({"force": [f.code for f in forces], "region": [f.region for f in forces]}),
    )
    pairs = [(a, f.code) for f in forces for a in f.postcode_areas]
    _temp_arrow(
        con,
        FORCE_POSTCODE,
        pa.table({"area": [a for a, _ in pairs], "force": [f for _, f in pairs]}),
    )
    offences = list(offence_table().values())
    _temp_arrow(
        con,
        OFFENCE,
        pa.table(
            {
                "code": [o.code for o in offences],
                "sexual": [o.sexual for o in offences],
                "vawg": [o.vawg for o in offences],
            }
        ),
    )


def ensure_inputs(con: Any) -> None:
    """Create empty temporary stand-ins for the link and ranking tables a snapshot lacks."""
    raw = raw_connection(con)
    for name, select in STAND_INS.items():
        if not table_exists(raw, name):
            log.warning("profiles: %s not found; treated as empty", name)
            raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")


def run_profiles(
    con: Any,
    cfg: ProfilesConfig | None = None,
    *,
    as_of: dt.date,
    mention_person: str,
    catalogue_path: Path | None = None,
) -> ProfilesResult:
    """Build the profiles and warnings on ``con``; return their counts."""
    cfg = cfg or load_profiles_config()
    raw = raw_connection(con)
    write_reference_tables(raw, catalogue_path)
    ensure_inputs(raw)
    for step in profile_steps(cfg, as_of, mention_person):
        try:
            run_steps(raw, [step])
        except duckdb.Error as exc:
            name = step["output_table_name"]
            raise PipelineError(f"profiles: building {name} failed: {exc}") from exc

    def count(sql: str) -> int:
        row = raw.execute(sql).fetchone()
        return int(row[0]) if row else 0

    return ProfilesResult(
        count(f"SELECT count(*) FROM {MISPER_TABLE}"),
        count(f"SELECT count(*) FROM {MISPER_TABLE} WHERE frequent"),
        count(f"SELECT count(*) FROM {VISOR_TABLE}"),
        count(f"SELECT count(*) FROM {WARNING_TABLE}"),
        count(f"SELECT count(*) FROM {ISSUE_TABLE}"),
    )
