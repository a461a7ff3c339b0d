"""STIM cross-matches to force data, as one user may see them.

The STIM stage matches each case's phones, emails, payers and people to force records
(``stim_case_crossmatch``) and keeps the markings of the records behind every match
(``stim_case_crossmatch_evidence``, by evidence unit) and of every matched person's force
records (``stim_crossmatch_person_marking``). A match is shown only when one of its units
rests on records the user may all see; its forces and record count are those of the
person's force records the user may see. Partner users (no data access) see none. The
person's network is not named (its components rest on records of other persons): the page
links to the person's network view, which applies the same rule.
"""

from __future__ import annotations

from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import highest_marking, lookup, permitted_units, run
from toex.web.data.search import person_label, person_summaries
from toex.web.warehouse import OpenSnapshot

CROSSMATCH = "stim_case_crossmatch"
MATCH_KEY = ("case_id", "person_id", "match_kind", "matched_value")
_COLUMNS = "case_id, person_id, match_kind, matched_value, account_id, strength"


def visible_crossmatch(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, case_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per case, its cross-matches the user may see (strong first, then by forces shown):
    ``person_id``, ``match_kind``, ``matched_value``, ``account_id``, ``strength``, and the
    ``forces``, ``n_forces`` and ``n_records`` of the person's visible force records, the
    person's ``label`` (his commonest visible name) and the highest ``classification``
    among the records behind the row."""
    if scope.empty or not case_ids:
        return {}
    if not snapshot.has(CROSSMATCH, "stim_case_crossmatch_evidence"):
        return {}  # a snapshot from before the evidence was kept: withhold every match
    if not snapshot.has("stim_crossmatch_person_marking"):
        return {}
    units = permitted_units(
        snapshot, cur, scope, "v_stim_evidence", "case_id", case_ids, (*MATCH_KEY, "unit")
    )
    evidence: dict[tuple[Any, ...], list[str]] = {}
    for name, marks in units.items():
        evidence.setdefault(name[:4], []).extend(marks)
    if not evidence:
        return {}
    persons: dict[str, list[dict[str, Any]]] = {}
    for row in lookup(
        snapshot,
        cur,
        scope,
        "v_stim_person",
        "person_id",
        {k[1] for k in evidence},
        "person_id, force, handling_code, classification, n_records",
    ):
        persons.setdefault(row["person_id"], []).append(row)
    sql = (
        f"SELECT {_COLUMNS} FROM {CROSSMATCH} WHERE case_id = ANY($cases) "
        "ORDER BY case_id, person_id, match_kind, matched_value"
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in run(cur, sql, scope, {"cases": list(case_ids)}):
        behind = evidence.get(tuple(row[c] for c in MATCH_KEY))
        held = persons.get(row["person_id"], [])
        if behind is None or not held:
            continue
        forces = sorted({r["force"] for r in held})
        row.update(
            forces=",".join(forces),
            n_forces=len(forces),
            n_records=sum(int(r["n_records"]) for r in held),
            classification=highest_marking([*behind, *(r["classification"] for r in held)]),
        )
        out.setdefault(row["case_id"], []).append(row)
    labels = person_summaries(snapshot, cur, scope, sorted({k[1] for k in evidence}))
    for rows in out.values():
        for row in rows:
            row["label"] = person_label(labels.get(row["person_id"]))
        rows.sort(key=lambda r: (r["strength"], -r["n_forces"], r["person_id"], r["match_kind"]))
    return out


def crossmatch_forces(rows: list[dict[str, Any]]) -> str | None:
    """The forces of a case's visible strong matches, comma-separated (None when none):
    the user's view of ``stim_case.crossmatch_forces``."""
    forces = sorted(
        {f for r in rows if r["strength"] == "strong" for f in r["forces"].split(",") if f}
    )
    return ",".join(forces) or None
