"""Check the priority findings against the synthetic ground truth (evaluation only).

The pipeline never reads ``truth/``; this module does, to measure it. Staged mentions carry
``(source_file, source_row, slot)``, the key of ``truth/mentions.parquet``, so every mention
maps to its true person. For every planted fragmented serial VAWG offender
(``truth/scenarios.json``, type ``serial_vawg_offender``) :func:`evaluate_planted_offenders`
reports:

- the resolved person holding most of his suspect records, the share held, and how many
  suspect records of other people resolution put into him;
- his rank in his force, his region and nationally, after resolution and before it (the
  best rank of any one of his records when every record stands alone);
- every number of his reason string beside the truth's, and which differ;
- how many resolved persons his true victims became (a split victim adds a "victim").

:func:`assess_with_truth` reruns the analytics with the truth as the resolution, which
isolates the analytics from resolution errors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from toex.assess.config import AssessConfig
from toex.assess.perpetrator_priority import PRIORITY_TABLE, RANK_TABLE
from toex.assess.reasons import reason_numbers
from toex.assess.sql_steps import query, raw_connection, sql_literal, table_exists
from toex.assess.stage import RESOLVED_MENTION_PERSON, AssessResult, run_assess

TRUTH_MENTION_PERSON = "assess__truth_mention_person"
SERIAL = "serial_vawg_offender"


def load_scenarios(truth_dir: Path) -> dict[str, Any]:
    """``truth/scenarios.json`` of a generated data set (``truth_dir`` is the set or truth/)."""
    path = _truth(truth_dir) / "scenarios.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _truth(path: Path) -> Path:
    path = Path(path)
    return path if path.name == "truth" else path / "truth"


def planted_offenders(truth_dir: Path) -> list[dict[str, Any]]:
    """The planted serial VAWG offender scenarios."""
    return [s for s in load_scenarios(truth_dir)["scenarios"] if s["type"] == SERIAL]


def truth_numbers(facts: dict[str, Any]) -> dict[str, int]:
    """A scenario's facts under the names :func:`reason_numbers` uses."""
    return {
        "age": facts["age_at_as_of"],
        "n_victims": facts["victims"],
        "victim_age_min": facts["victim_age_min"],
        "victim_age_max": facts["victim_age_max"],
        "n_vawg_offences": facts["vawg_offences"],
        "n_vawg_offences_12m": facts["vawg_offences_last_12_months"],
        "n_oics": facts["distinct_oics"],
        "n_lpcs": len(facts["lpcs"]),
        "n_forces": len(facts["forces"]),
    }


def register_truth(con: Any, truth_dir: Path) -> None:
    """Temp table ``assess__truth_mention_person``: each staged mention's true person.

    A mention the truth does not cover (none should) stands alone as its own person.
    """
    path = _truth(truth_dir) / "mentions.parquet"
    raw_connection(con).execute(
        f"CREATE OR REPLACE TEMP TABLE {TRUTH_MENTION_PERSON} AS "
        "SELECT m.mention_id, coalesce(t.person_id, 'mention:' || m.mention_id) AS person_id "
        "FROM staged_person_mention AS m "
        f"LEFT JOIN read_parquet({sql_literal(str(path))}) AS t "
        "USING (source_file, source_row, slot)"
    )


def assess_with_truth(con: Any, truth_dir: Path, cfg: AssessConfig | None = None) -> AssessResult:
    """Run the analytics with the truth as the resolution. Replaces the assess tables of
    ``con``: run it on a copy of a snapshot, never on the live one."""
    register_truth(con, truth_dir)
    as_of = load_scenarios(truth_dir).get("as_of")
    day = dt.date.fromisoformat(as_of) if as_of else None
    return run_assess(con, cfg, as_of=day, mention_person=TRUTH_MENTION_PERSON)


def _resolved_of(con: Any, mention_person: str, true_id: str) -> tuple[str | None, float, int]:
    rows = query(
        con,
        f"SELECT mp.person_id FROM {TRUTH_MENTION_PERSON} AS t "
        "JOIN staged_person_mention AS m USING (mention_id) "
        f"JOIN {mention_person} AS mp USING (mention_id) "
        "WHERE t.person_id = ? AND m.role = 'suspect'",
        [true_id],
    )
    if not rows:
        return None, 0.0, 0
    counts = Counter(r["person_id"] for r in rows)
    person, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return person, n / len(rows), len(rows)


def _foreign_records(con: Any, mention_person: str, person: str | None, true_id: str) -> int:
    """Suspect records of other true persons resolved into ``person``."""
    rows = query(
        con,
        f"SELECT count(*) AS n FROM {mention_person} AS mp "
        "JOIN staged_person_mention AS m USING (mention_id) "
        f"JOIN {TRUTH_MENTION_PERSON} AS t USING (mention_id) "
        "WHERE mp.person_id = ? AND m.role = 'suspect' AND t.person_id <> ?",
        [person, true_id],
    )
    return int(rows[0]["n"]) if rows else 0


def _victim_clusters(con: Any, mention_person: str, true_id: str) -> int:
    rows = query(
        con,
        f"""SELECT count(DISTINCT vp.person_id) AS n
FROM {TRUTH_MENTION_PERSON} AS ts
JOIN staged_person_mention AS s ON s.mention_id = ts.mention_id AND s.role = 'suspect'
JOIN staged_person_mention AS v ON v.event_id = s.event_id AND v.role = 'victim'
JOIN {mention_person} AS vp ON vp.mention_id = v.mention_id
WHERE ts.person_id = ?""",
        [true_id],
    )
    return int(rows[0]["n"]) if rows else 0


def evaluate_planted_offenders(
    con: Any, truth_dir: Path, mention_person: str | None = None
) -> list[dict[str, Any]]:
    """One dict per planted offender: ranks before/after resolution and reason vs truth.

    ``mention_person`` is the resolution the assess tables were built on: by default
    ``resolved_mention_person`` (or, after :func:`assess_with_truth`, pass
    ``TRUTH_MENTION_PERSON``).
    """
    register_truth(con, truth_dir)
    if mention_person is None:
        mention_person = (
            RESOLVED_MENTION_PERSON
            if table_exists(con, RESOLVED_MENTION_PERSON)
            else TRUTH_MENTION_PERSON
        )
    out = []
    for s in planted_offenders(truth_dir):
        true_id = s["principal_person_id"]
        person, share, n_records = _resolved_of(con, mention_person, true_id)
        rows = query(con, f"SELECT * FROM {PRIORITY_TABLE} WHERE person_id = ?", [person])
        row = rows[0] if rows else {}
        force_ranks = {
            r["area"]: r["rank"]
            for r in query(
                con,
                f"SELECT area, rank FROM {RANK_TABLE} WHERE person_id = ? AND area_type = 'force'",
                [person],
            )
        }
        got = reason_numbers(row["reason"]) if row else {}
        want = truth_numbers(s["facts"])
        out.append(
            {
                "scenario_id": s["scenario_id"],
                "true_person_id": true_id,
                "person_id": person,
                "records": n_records,
                "share_of_records": share,
                "records_held": round(share * n_records),
                "foreign_records": _foreign_records(con, mention_person, person, true_id),
                "forces": s["forces"],
                "force": row.get("force"),
                "region": row.get("region"),
                "force_rank": row.get("force_rank"),
                "worst_force_rank": max(force_ranks.values()) if force_ranks else None,
                "region_rank": row.get("region_rank"),
                "national_rank": row.get("national_rank"),
                "unresolved_force_rank": row.get("unresolved_force_rank"),
                "unresolved_region_rank": row.get("unresolved_region_rank"),
                "unresolved_national_rank": row.get("unresolved_national_rank"),
                "reason": row.get("reason"),
                "finding": s["finding"],
                "reason_numbers": got,
                "truth_numbers": want,
                "mismatches": sorted(k for k in want if got.get(k) != want[k]),
                "victim_clusters": _victim_clusters(con, mention_person, true_id),
            }
        )
    return out
