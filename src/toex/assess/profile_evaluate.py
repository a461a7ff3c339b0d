"""The missing-person and ViSOR profiles against the synthetic ground truth (evaluation only).

Each planted person (``truth/scenarios.json``, types ``profile_missing_person`` and
``profile_registrant``) is found as the resolved person holding most of her records in her
role (missing, registrant); her row and rank in her force's profile are read back, with
the facts the truth records. Precision@10 per force: the share of the top 10 of each
force's missing-person profile that are planted at-risk persons or other planted SOC-linked
missing persons (the network's children), against the at-risk persons planted there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from toex.assess.evaluate import TRUTH_MENTION_PERSON, _truth, load_scenarios, register_truth
from toex.assess.sql_steps import query

MISPER_TYPE = "profile_missing_person"
VISOR_TYPE = "profile_registrant"
ROLE_OF = {MISPER_TYPE: "missing", VISOR_TYPE: "registrant"}
PLANTED_ROLES = (
    "at_risk_missing_person",
    "decoy_missing_person",
    "active_registrant",
    "decoy_registrant",
)


def truth_id(index: int) -> str:
    """The truth person ID of a population index."""
    return f"P{int(index) + 1:07d}"


def planted_profiles(truth_dir: Path) -> list[dict[str, Any]]:
    """Every planted profile person: scenario, type, force, role, truth ID and facts."""
    members = pq.read_table(_truth(truth_dir) / "scenario_members.parquet").to_pylist()
    out = []
    for s in load_scenarios(truth_dir)["scenarios"]:
        if s["type"] not in ROLE_OF:
            continue
        for m in members:
            if m["scenario_id"] == s["scenario_id"] and m["member_role"] in PLANTED_ROLES:
                out.append(
                    {
                        "scenario_id": s["scenario_id"],
                        "type": s["type"],
                        "force": s["forces"][0],
                        "member_role": m["member_role"],
                        "truth_id": m["person_id"],
                        "facts": s["facts"],
                        "finding": s["finding"],
                    }
                )
    return out


def _resolved(con: Any, mention_person: str, true_id: str, role: str) -> str | None:
    rows = query(
        con,
        f"SELECT mp.person_id, count(*) AS n FROM {TRUTH_MENTION_PERSON} AS t "
        "JOIN staged_person_mention AS m USING (mention_id) "
        f"JOIN {mention_person} AS mp USING (mention_id) "
        "WHERE t.person_id = ? AND m.role = ? GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1",
        [true_id, role],
    )
    return str(rows[0]["person_id"]) if rows else None


def _episodes_held(
    con: Any, mention_person: str, person: str | None, true_id: str, role: str = "missing"
) -> tuple[int, int]:
    """Her records in ``role`` (missing episodes; crimes as suspect for a registrant) the
    resolved person holds, and others' records in that role it holds."""
    if person is None:
        return 0, 0
    rows = query(
        con,
        f"SELECT count(*) FILTER (WHERE t.person_id = ?) AS held, "
        f"count(*) FILTER (WHERE t.person_id <> ?) AS foreign_ "
        f"FROM {mention_person} AS mp JOIN staged_person_mention AS m USING (mention_id) "
        f"JOIN {TRUTH_MENTION_PERSON} AS t USING (mention_id) "
        "WHERE mp.person_id = ? AND m.role = ?",
        [true_id, true_id, person, role],
    )
    return int(rows[0]["held"]), int(rows[0]["foreign_"])


def evaluate_profiles(
    con: Any, truth_dir: Path, mention_person: str = "resolved_mention_person"
) -> list[dict[str, Any]]:
    """Per planted person: the resolved person, rank in her force's profile, score, reason
    and the row's facts (``None`` rank when she is not in the profile)."""
    register_truth(con, truth_dir)
    out = []
    for p in planted_profiles(truth_dir):
        person = _resolved(con, mention_person, p["truth_id"], ROLE_OF[p["type"]])
        row: dict[str, Any] | None = None
        if person is not None and p["type"] == MISPER_TYPE:
            rows = query(
                con,
                "SELECT m.*, r.rank AS profile_rank FROM assess_misper AS m "
                "JOIN assess_misper_rank AS r ON r.person_id = m.person_id "
                "AND r.area_type = 'force' AND r.area = ? WHERE m.person_id = ?",
                [p["force"], person],
            )
            row = rows[0] if rows else None
        elif person is not None:
            rows = query(
                con,
                "SELECT *, force_rank AS profile_rank FROM assess_visor "
                "WHERE person_id = ? AND force = ? ORDER BY force_rank LIMIT 1",
                [person, p["force"]],
            )
            row = rows[0] if rows else None
        role = "missing" if p["type"] == MISPER_TYPE else "suspect"
        held, foreign = _episodes_held(con, mention_person, person, p["truth_id"], role)
        out.append(
            {
                **p,
                "person_id": person,
                "row": row,
                "rank": row["profile_rank"] if row else None,
                "episodes_held": held,
                "foreign_episodes": foreign,
            }
        )
    return out


def precision_at_10(con: Any, report: list[dict[str, Any]], k: int = 10) -> dict[str, float]:
    """Per force: the share of the top ``k`` of its missing-person profile that are planted
    at-risk persons (3 a force: at most 0.3 of a top 10)."""
    planted = query(
        con,
        f"SELECT DISTINCT mp.person_id, t.person_id AS truth_id FROM {TRUTH_MENTION_PERSON} AS t "
        "JOIN staged_person_mention AS m USING (mention_id) "
        "JOIN resolved_mention_person AS mp USING (mention_id) WHERE m.role = 'missing'",
    )
    at_risk = {r["truth_id"] for r in report if r["member_role"] == "at_risk_missing_person"}
    good = {r["person_id"] for r in planted if r["truth_id"] in at_risk}
    good |= {r["person_id"] for r in report if r["member_role"] == "at_risk_missing_person"}
    out = {}
    for force in sorted({r["force"] for r in report}):
        top = query(
            con,
            "SELECT person_id FROM assess_misper_rank WHERE area_type = 'force' AND area = ? "
            "AND rank <= ?",
            [force, k],
        )
        if top:
            out[force] = sum(1 for t in top if t["person_id"] in good) / k
    return out
