"""Match explanations for a pair of visible mentions.

Uses ``toex.resolve.explain.explain_pair`` (the resolve stage's comparison levels and match
weights) when the snapshot holds a trained model; otherwise compares the two mentions field
by field. Callers check that both mentions are visible before asking.
"""

from __future__ import annotations

from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import run, visible_views
from toex.web.warehouse import OpenSnapshot

COMPARED = (
    "forename",
    "middle_names",
    "surname",
    "dob",
    "gender",
    "pnc_id",
    "cro_number",
    "phone",
    "email",
    "postcode",
)
MODEL_TABLES = ("resolved_model_params", "resolved_placeholder", "resolved_term_frequency")


def model_explanation(cur: Any, a: str, b: str) -> dict[str, Any]:
    """The resolve stage's explanation of a pair: overall weights, then one row per
    comparison with its level, weights and the two values compared."""
    import ibis

    from toex.resolve.explain import explain_pair

    found = explain_pair(ibis.duckdb.from_connection(cur), a, b)
    summary = {
        k: found.get(k)
        for k in (
            "match_probability",
            "match_weight",
            "prior_weight",
            "threshold",
            "linked",
            "same_person",
        )
    }
    rows = [
        {
            "comparison": c["comparison"],
            "level": c["level"],
            "match_weight": c["match_weight"],
            "tf_adjustment": c["tf_adjustment"],
            "a": ", ".join(f"{v}" for v in c["left"].values() if v is not None),
            "b": ", ".join(f"{v}" for v in c["right"].values() if v is not None),
        }
        for c in found.get("comparisons", [])
    ]
    return {"source": "model", "summary": summary, "rows": rows}


def field_comparison(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, a: str, b: str
) -> list[dict[str, Any]]:
    """One row per identifying field: both values and whether they agree."""
    sql = (
        visible_views(snapshot, scope, ["v_mention"])
        + "SELECT * FROM v_mention WHERE mention_id = $a OR mention_id = $b"
    )
    found = {r["mention_id"]: r for r in run(cur, sql, scope, {"a": a, "b": b})}
    left, right = found.get(a, {}), found.get(b, {})
    rows = []
    for col in COMPARED:
        va, vb = left.get(col), right.get(col)
        state = "missing" if va is None or vb is None else ("agree" if va == vb else "differ")
        rows.append({"field": col, "a": va, "b": vb, "comparison": state})
    return rows


def explain_mentions(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, a: str, b: str
) -> dict[str, Any]:
    """``{"source", "summary", "rows"}`` explaining why ``a`` and ``b`` were (not) matched."""
    if snapshot.has(*MODEL_TABLES):
        try:
            return model_explanation(cur, a, b)
        except Exception as exc:
            source = f"model explanation unavailable ({type(exc).__name__}): field comparison"
    else:
        source = "field comparison (this snapshot holds no trained model)"
    return {"source": source, "summary": {}, "rows": field_comparison(snapshot, cur, scope, a, b)}
