"""Exploitation labels and threat scores against the synthetic data's planted truth.

Truth is read only here, never by the stage. Each planted ``exploitation_network`` scenario
is matched to the threat-level network (Leiden community) that best covers its members
(:func:`toex.link.evaluate.person_truth_sql` maps resolved persons to true ones); then:

- per exploitation type, precision and recall of the labels over the planted networks
  (a decoy's only true type is ``other``), and their macro mean;
- Spearman's rank correlation between the planted true severity and the threat score, and
  the same against the band (high 3, medium 2, low 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from scipy.stats import spearmanr

from toex.assess.threat_score import THREAT_LEVEL
from toex.link.evaluate import load_scenarios, person_truth_sql
from toex.model import ExploitationType

SCENARIO_TYPE = "exploitation_network"
_BAND = {"high": 3, "medium": 2, "low": 1}


def planted_matches(con: duckdb.DuckDBPyConnection, synth_dir: Path) -> list[dict[str, Any]]:
    """Each planted network with its best-matching threat-level network, labels and score."""
    truth = Path(synth_dir) / "truth"
    resolved: dict[str, list[str]] = {}
    for r, t in con.execute(person_truth_sql(truth / "mentions.parquet")).fetchall():
        resolved.setdefault(str(t), []).append(str(r))
    members: dict[str, set[str]] = {}
    for sid, pid in con.execute(
        "SELECT scenario_id, person_id FROM read_parquet(?)",
        [str(truth / "scenario_members.parquet")],
    ).fetchall():
        members.setdefault(str(sid), set()).add(str(pid))
    out = []
    for s in load_scenarios(synth_dir):
        if s["type"] != SCENARIO_TYPE:
            continue
        targets = sorted({r for p in members[s["scenario_id"]] for r in resolved.get(p, [])})
        row = con.execute(
            """
WITH t AS (SELECT unnest(?::VARCHAR[]) AS person_id)
SELECT m.network_id, count(*) AS tp, any_value(n.n_members) AS size
FROM link_network_member AS m JOIN t USING (person_id)
JOIN link_network AS n USING (network_id, level)
WHERE m.level = ? GROUP BY m.network_id
ORDER BY 2.0 * tp / (size + ?) DESC, m.network_id LIMIT 1""",
            [targets, THREAT_LEVEL, len(targets)],
        ).fetchone()
        network = str(row[0]) if row else None
        labels = sorted(
            r[0]
            for r in con.execute(
                "SELECT exploitation_type FROM assess_exploitation_label "
                "WHERE subject_kind = 'network' AND level = ? AND subject_id = ?",
                [THREAT_LEVEL, network],
            ).fetchall()
        )
        threat = con.execute(
            "SELECT score, band, rank FROM assess_threat WHERE threat_id = ?", [network]
        ).fetchone()
        out.append(
            {
                "scenario_id": s["scenario_id"],
                "true_types": sorted(s["facts"]["types"]),
                "decoy": bool(s["facts"].get("decoy")),
                "severity": float(s["facts"]["severity"]),
                "severity_rank": int(s["facts"]["severity_rank"]),
                "network_id": network,
                "recall_members": round(int(row[1]) / len(targets), 4) if row else 0.0,
                "labels": labels,
                "score": float(threat[0]) if threat else None,
                "band": threat[1] if threat else None,
                "rank": int(threat[2]) if threat else None,
            }
        )
    return out


def type_metrics(matches: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per-type precision, recall and support over the planted networks, and ``macro``."""
    out: dict[str, dict[str, float]] = {}
    for t in ExploitationType:
        tp = sum(t.value in m["labels"] and t.value in m["true_types"] for m in matches)
        fp = sum(t.value in m["labels"] and t.value not in m["true_types"] for m in matches)
        fn = sum(t.value not in m["labels"] and t.value in m["true_types"] for m in matches)
        out[t.value] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "support": float(tp + fn),
        }
    types = [v for k, v in out.items() if v["support"]]
    out["macro"] = {
        "precision": float(np.mean([v["precision"] for v in types])),
        "recall": float(np.mean([v["recall"] for v in types])),
        "support": float(sum(v["support"] for v in types)),
    }
    return out


def severity_agreement(matches: list[dict[str, Any]]) -> dict[str, float]:
    """Spearman's rho of true severity against score and against band."""
    scored = [m for m in matches if m["score"] is not None]
    sev = [m["severity"] for m in scored]
    rho_score = spearmanr(sev, [m["score"] for m in scored]).statistic
    rho_band = spearmanr(sev, [_BAND[m["band"]] for m in scored]).statistic
    return {
        "n": float(len(scored)),
        "spearman_score": float(rho_score),
        "spearman_band": float(rho_band),
    }


def evaluate_snapshot(snapshot: Path, synth_dir: Path) -> dict[str, Any]:
    """The whole report for one snapshot file and the data set it was built from."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        matches = planted_matches(con, synth_dir)
    finally:
        con.close()
    return {
        "matches": matches,
        "types": type_metrics(matches),
        "severity": severity_agreement(matches),
    }
