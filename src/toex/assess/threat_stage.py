"""The threats stage: exploitation labels, threat scores and their dated history.

Runs after the STIM stage (it labels STIM cases too). Both configuration files (the
exploitation rules and the scoring matrix) are loaded and validated before anything is
written: a bad file stops the run with nothing half-done. Writes:

- ``assess_exploitation_label`` and ``assess_exploitation_evidence``
  (:mod:`toex.assess.exploitation_labels`);
- ``assess_threat``: each threat (a Leiden community with enough members and crimes), its
  types, MoRiLE-like dimensions, score, band, rank, reason, first and latest scoring dates
  and the markings of the records behind it;
- ``assess_threat_history``: the previous snapshot's history plus this run's scores.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from toex.assess.exploitation_labels import label_all
from toex.assess.exploitation_rules import ExploitationRules, load_rules
from toex.assess.sql_steps import query, raw_connection, table_exists, write_arrow
from toex.assess.stage import RESOLVED_MENTION_PERSON, latest_event_date
from toex.assess.threat_config import ThreatScoring, load_scoring
from toex.assess.threat_history import (
    first_scored,
    merge_history,
    previous_history,
    scored_on_of,
    write_history,
)
from toex.assess.threat_score import THREAT_LEVEL, score, threat_inputs_sql
from toex.errors import PipelineError
from toex.model import ExploitationType

log = logging.getLogger(__name__)
THREAT_TABLE = "assess_threat"


@dataclass(frozen=True)
class ThreatResult:
    """What a run of the threats stage produced."""

    as_of: dt.date
    scored_on: dt.date
    labelled: dict[str, int]
    threats: int
    high: int


def run_threats(
    con: Any,
    rules: ExploitationRules | None = None,
    scoring: ThreatScoring | None = None,
    *,
    as_of: dt.date | None = None,
    previous: Path | None = None,
    scored_on: dt.date | None = None,
    run_id: str = "",
    mention_person: str = RESOLVED_MENTION_PERSON,
) -> ThreatResult:
    """Label, score and write the threat tables on ``con``; see the module docstring."""
    rules = rules or load_rules()
    scoring = scoring or load_scoring()
    raw = raw_connection(con)
    for needed in ("link_network", mention_person, "assess_harm_weight"):
        if not table_exists(raw, needed):
            raise PipelineError(f"threats: table {needed} is missing; run link and assess first")
    as_of = as_of or latest_event_date(raw)
    scored_on = scored_on or scored_on_of(run_id)
    labelled = label_all(raw, rules, mention_person)
    types = _network_types(raw)
    rows = []
    for inputs in query(raw, threat_inputs_sql(scoring, as_of)):
        labs = types.get(inputs["threat_id"], [ExploitationType.OTHER.value])
        rows.append({**inputs, "types": labs, **score(scoring, inputs, [_label(t) for t in labs])})
    rows.sort(key=lambda r: (-r["score"], r["threat_id"]))
    for i, r in enumerate(rows):
        r["rank"] = i + 1
    history = merge_history(previous_history(raw, previous), rows, scored_on, run_id)
    first = first_scored(history)
    write_arrow(raw, THREAT_TABLE, _threat_table(rows, first, scored_on))
    write_history(raw, history)
    _drop_intermediates(raw)
    return ThreatResult(
        as_of, scored_on, labelled, len(rows), sum(r["band"] == "high" for r in rows)
    )


def _label(value: str) -> str:
    return ExploitationType(value).label


def _network_types(raw: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in query(
        raw,
        "SELECT subject_id, exploitation_type FROM assess_exploitation_label "
        "WHERE subject_kind = 'network' AND level = ? ORDER BY subject_id, confidence DESC, "
        "exploitation_type",
        [THREAT_LEVEL],
    ):
        out.setdefault(r["subject_id"], []).append(r["exploitation_type"])
    return out


def _threat_table(
    rows: list[dict[str, Any]], first: dict[str, dt.date], scored_on: dt.date
) -> pa.Table:
    strs = pa.list_(pa.string())
    cols: dict[str, pa.Array] = {
        "threat_id": pa.array([r["threat_id"] for r in rows], pa.string()),
        "level": pa.array([THREAT_LEVEL] * len(rows), pa.string()),
        "rank": pa.array([r["rank"] for r in rows], pa.int64()),
        "exploitation_types": pa.array([r["types"] for r in rows], strs),
        "primary_type": pa.array([r["types"][0] for r in rows], pa.string()),
        "n_types": pa.array([len(r["types"]) for r in rows], pa.int64()),
        "geographic_scale": pa.array([r["geographic_scale"] for r in rows], pa.string()),
        "primary_force": pa.array([r["primary_force"] for r in rows], pa.string()),
        "forces": pa.array([r["forces"] for r in rows], strs),
        "regions": pa.array([r["regions"] for r in rows], strs),
        "principal_person_ids": pa.array([r["principal_person_ids"] for r in rows], strs),
    }
    for name in ("members", "crimes", "victims", "children", "intel_reports"):
        cols[name] = pa.array([int(r[name]) for r in rows], pa.int64())
    cols["total_harm_days"] = pa.array([float(r["total_harm_days"]) for r in rows], pa.float64())
    for name in ("harm", "likelihood", "capability", "confidence", "score"):
        cols[name] = pa.array([float(r[name]) for r in rows], pa.float64())
    cols["band"] = pa.array([r["band"] for r in rows], pa.string())
    cols["reason"] = pa.array([r["reason"] for r in rows], pa.string())
    cols["first_scored"] = pa.array(
        [first.get(r["threat_id"], scored_on) for r in rows], pa.date32()
    )
    cols["last_scored"] = pa.array([scored_on] * len(rows), pa.date32())
    for name in ("mark_forces", "mark_codes", "mark_classes"):
        cols[name] = pa.array([r[name] for r in rows], strs)
    return pa.table(cols)


def _drop_intermediates(raw: Any) -> None:
    for (name,) in raw.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "AND starts_with(table_name, 'assess__x_')"
    ).fetchall():
        raw.execute(f"DROP TABLE IF EXISTS temp.{name}")


def run_threat_stage(ctx: Any) -> None:
    """Pipeline stage: the threats on the snapshot being written (``ctx.con``).

    Reads ``exploitation_rules``, ``threat_scoring`` (YAML paths) and ``as_of`` from
    ``ctx.settings`` when present; both files are validated before anything is written.
    """
    settings = getattr(ctx, "settings", None)
    rules_path = getattr(settings, "exploitation_rules", None)
    scoring_path = getattr(settings, "threat_scoring", None)
    rules = load_rules(Path(rules_path) if rules_path else None)
    scoring = load_scoring(Path(scoring_path) if scoring_path else None)
    previous = getattr(getattr(ctx, "previous", None), "path", None)
    result = run_threats(
        ctx.con,
        rules,
        scoring,
        as_of=getattr(settings, "as_of", None),
        previous=previous,
        run_id=str(getattr(ctx, "run_id", "") or ""),
    )
    results = getattr(ctx, "results", None)
    if isinstance(results, dict):
        results["threats"] = result
    log.info(
        "threats: %d scored (%d high), labels %s, as of %s",
        result.threats,
        result.high,
        result.labelled,
        result.as_of,
    )
