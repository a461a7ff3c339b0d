"""``toex evaluate link``: networks against the synthetic data's planted scenarios.

Truth is read only here, never by the stage. Each resolved person is mapped to the true person
holding most of its mentions (joining ``staged_person_mention`` to ``truth/mentions.parquet``
on source file, row and slot). For every planted network scenario, the network (community or
component) that best matches its members is found, and reported with:

- member recall and precision (over resolved persons whose true person is a member), and
  precision counting as members also the members of *linked* scenarios (those sharing a
  member with it: the missing children the generator links to the trafficking network
  through its members);
- the rank of the scenario's principal individual in that network;
- the network's geographic scale against the scenario's.

Scenarios that are not networks (twins, namesakes) are skipped; the placeholder hub scenario
is checked separately: its phone must be a hub and never form a network edge.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from toex.engine.quoting import path_literal
from toex.link.scale import SCALE_LABELS

NETWORK_SCENARIO_TYPES: tuple[str, ...] = (
    "trafficking_network",
    "frequent_missing_children",
    "organised_crime_group",
    "serial_vawg_offender",
    "registered_sex_offender",
)
"""Planted scenario types that are networks of people (evaluated here)."""

_LABEL_TO_SCALE = {label.lower(): code for code, label in SCALE_LABELS.items()}


@dataclass(frozen=True)
class ScenarioResult:
    """How one planted scenario was recovered."""

    scenario_id: str
    type: str
    n_members: int
    network_id: str | None
    level: str | None
    network_size: int
    recall: float
    precision: float
    linked_scenarios: list[str]
    precision_with_linked: float
    principal_rank: int | None
    expected_scale: str
    scale: str | None

    @property
    def scale_ok(self) -> bool:
        """Whether the network's scale is the scenario's."""
        return self.scale == self.expected_scale

    def as_dict(self) -> dict[str, Any]:
        """Plain data, with ``scale_ok``."""
        return {**asdict(self), "scale_ok": self.scale_ok}


def load_scenarios(synth_dir: Path) -> list[dict[str, Any]]:
    """The planted scenarios of ``truth/scenarios.json``."""
    data = json.loads((Path(synth_dir) / "truth" / "scenarios.json").read_text("utf-8"))
    return list(data["scenarios"] if isinstance(data, dict) else data)


def person_truth_sql(truth_mentions: Path) -> str:
    """SQL: each resolved person and the true person holding most of its mentions."""
    return f"""
WITH j AS (
    SELECT r.person_id AS resolved, t.person_id AS truth, count(*) AS n
    FROM staged_person_mention AS m
    JOIN resolved_mention_person AS r USING (mention_id)
    JOIN read_parquet({path_literal(truth_mentions)}) AS t
      ON t.source_file = m.source_file AND t.source_row = m.source_row AND t.slot = m.slot
    WHERE t.person_id IS NOT NULL
    GROUP BY r.person_id, t.person_id
)
SELECT resolved, truth FROM j
QUALIFY row_number() OVER (PARTITION BY resolved ORDER BY n DESC, truth) = 1
"""


def _best_network(con: duckdb.DuckDBPyConnection, targets: list[str]) -> dict[str, Any] | None:
    """The network with the best F1 against ``targets`` (resolved person IDs)."""
    row = con.execute(
        """
WITH t AS (SELECT unnest(?::VARCHAR[]) AS person_id),
hit AS (
    SELECT m.network_id, m.level, count(*) AS tp
    FROM link_network_member AS m JOIN t USING (person_id) GROUP BY ALL
)
SELECT h.network_id, h.level, h.tp, n.n_members, n.geographic_scale,
       2.0 * h.tp / (n.n_members + ?) AS f1
FROM hit AS h JOIN link_network AS n USING (network_id, level)
ORDER BY f1 DESC, CASE h.level WHEN 'community' THEN 0 ELSE 1 END, h.network_id
LIMIT 1""",
        [targets, len(targets)],
    ).fetchone()
    if row is None:
        return None
    keys = ("network_id", "level", "tp", "n_members", "geographic_scale", "f1")
    return dict(zip(keys, row, strict=True))


def evaluate_scenarios(con: duckdb.DuckDBPyConnection, synth_dir: Path) -> list[ScenarioResult]:
    """Recovery of every planted network scenario in the snapshot on ``con``."""
    truth_dir = Path(synth_dir) / "truth"
    mapping = con.execute(person_truth_sql(truth_dir / "mentions.parquet")).fetchall()
    resolved_of: dict[str, list[str]] = {}
    for resolved, truth in mapping:
        resolved_of.setdefault(str(truth), []).append(str(resolved))
    scenarios = [s for s in load_scenarios(synth_dir) if s["type"] in NETWORK_SCENARIO_TYPES]
    members = {
        s["scenario_id"]: {
            str(r[0])
            for r in con.execute(
                "SELECT person_id FROM read_parquet(?) WHERE scenario_id = ?",
                [str(truth_dir / "scenario_members.parquet"), s["scenario_id"]],
            ).fetchall()
        }
        for s in scenarios
    }
    out = []
    for s in scenarios:
        sid = s["scenario_id"]
        linked = sorted(o for o in members if o != sid and members[o] & members[sid])
        targets = sorted({p for m in members[sid] for p in resolved_of.get(m, [])})
        allowed = set(targets) | {
            p for o in linked for m in members[o] for p in resolved_of.get(m, [])
        }
        best = _best_network(con, targets) if targets else None
        expected = _LABEL_TO_SCALE.get(str(s["geographic_scale"]).lower(), "?")
        rank = None
        in_linked = 0
        if best is not None:
            in_linked = int(
                con.execute(
                    "SELECT count(*) FROM link_network_member WHERE network_id = ? AND level = ? "
                    "AND person_id IN (SELECT unnest(?::VARCHAR[]))",
                    [best["network_id"], best["level"], sorted(allowed)],
                ).fetchone()[0]  # type: ignore[index]
            )
        if best is not None and s.get("principal_person_id"):
            row = con.execute(
                "SELECT min(rank) FROM link_network_member WHERE network_id = ? AND level = ? "
                "AND person_id IN (SELECT unnest(?::VARCHAR[]))",
                [best["network_id"], best["level"], resolved_of.get(s["principal_person_id"], [])],
            ).fetchone()
            rank = int(row[0]) if row and row[0] is not None else None
        size = int(best["n_members"]) if best else 0
        out.append(
            ScenarioResult(
                scenario_id=sid,
                type=s["type"],
                n_members=len(members[sid]),
                network_id=best["network_id"] if best else None,
                level=best["level"] if best else None,
                network_size=size,
                recall=round(best["tp"] / len(targets), 4) if best else 0.0,
                precision=round(best["tp"] / size, 4) if best else 0.0,
                linked_scenarios=linked,
                precision_with_linked=round(in_linked / size, 4) if size else 0.0,
                principal_rank=rank,
                expected_scale=expected,
                scale=best["geographic_scale"] if best else None,
            )
        )
    return out


def placeholder_hub_check(con: duckdb.DuckDBPyConnection, synth_dir: Path) -> dict[str, Any]:
    """The planted placeholder phone: listed as a hub, and in no network-forming edge."""
    for s in load_scenarios(synth_dir):
        if s["type"] != "placeholder_hub":
            continue
        raw = str(s["facts"]["value"])
        e164 = "+44" + raw[1:] if raw.startswith("0") else raw
        hub = con.execute(
            "SELECT n_persons, reason FROM link_hub WHERE object_type = 'phone' AND object_key = ?",
            [e164],
        ).fetchone()
        strong = con.execute(
            "SELECT count(*) FROM link_edge WHERE NOT hub_only AND edge_type = 'shared_phone' "
            "AND list_contains(object_values, ?) AND n_units = 1",
            [e164],
        ).fetchone()
        return {
            "value": e164,
            "planted_people": int(s["facts"]["people"]),
            "hub_persons": int(hub[0]) if hub else 0,
            "reason": hub[1] if hub else None,
            "strong_edges_only_through_it": int(strong[0]) if strong else 0,
        }
    return {}


def evaluate_snapshot(path: Path, synth_dir: Path) -> dict[str, Any]:
    """The link evaluation of the snapshot file at ``path`` as plain data."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        scenarios = [r.as_dict() for r in evaluate_scenarios(con, synth_dir)]
        return {"scenarios": scenarios, "placeholder_hub": placeholder_hub_check(con, synth_dir)}
    finally:
        con.close()
