"""Why two mentions are (or are not) one person, as plain data for the CLI and web app.

:func:`explain_pair` rescored the pair with the run's stored parameters (Splink's
``score_pair`` on a private in-memory DuckDB) and lists, per comparison, the level the pair
falls in, its m and u probabilities and its match weight (log2 of m/u, plus any term
frequency adjustment). :func:`explain_person` lists a resolved person's mentions and the
links that hold them together.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from ibis.backends.duckdb import Backend as IbisDuckDB

from toex.errors import NotFoundError, SnapshotError
from toex.resolve.features import (
    clean_mentions,
    features_expr,
    name_gender_expr,
    name_lookups,
    partner_forces,
)
from toex.resolve.model import ModelParams, make_linker
from toex.resolve.placeholders import Placeholders
from toex.resolve.run import TF_COLUMNS
from toex.resolve.specs import person_spec

_VALUE_COLUMNS = {
    "forename": ("forename", "middle_first"),
    "surname": ("surname",),
    "dob": ("dob", "dob_year", "dob_month"),
    "gender": ("gender",),
    "postcode": ("postcode",),
    "phone": ("phone",),
    "email": ("email",),
    "identifiers": ("pnc_id", "cro_number"),
}


def level_label(params: ModelParams, comparison: str, gamma: int) -> dict[str, Any]:
    """The stored level (label, m, u, weight) a ``gamma`` value of ``comparison`` names."""
    comp = next(c for c in params["comparisons"] if c["name"] == comparison)
    if gamma < 0:
        lv = next(lv for lv in comp["levels"] if lv["is_null_level"])
    else:
        non_null = [lv for lv in comp["levels"] if not lv["is_null_level"]]
        lv = non_null[len(non_null) - 1 - gamma]
    m, u = lv.get("m_probability"), lv.get("u_probability")
    weight = math.log2(m / u) if m and u and gamma >= 0 else 0.0
    return {"label": lv["label"], "m_probability": m, "u_probability": u, "level_weight": weight}


def stored_params(wh: IbisDuckDB) -> tuple[ModelParams, float]:
    """The snapshot's trained parameters and clustering threshold."""
    if "resolved_model_params" not in wh.list_tables():
        raise SnapshotError("the snapshot holds no resolution (run `toex resolve run`)")
    rows = wh.con.execute("SELECT params_json, threshold FROM resolved_model_params").fetchall()
    return json.loads(rows[0][0]), float(rows[0][1])


def stored_placeholders(wh: IbisDuckDB) -> Placeholders:
    """The placeholders the run nulled, read back from ``resolved_placeholder``."""
    ph = Placeholders()
    for col, value in wh.con.execute(
        "SELECT column_name, value FROM resolved_placeholder"
    ).fetchall():
        ph.values.setdefault(col, set()).add(
            dt.date.fromisoformat(value) if col == "dob" else value
        )
    for col in ("forename", "surname"):
        ph.values.setdefault(col, set())
    return ph


def _features(wh: IbisDuckDB, ids: list[str]) -> list[dict[str, Any]]:
    ph = stored_placeholders(wh)
    every = wh.table("staged_person_mention")
    m = every.filter(every.mention_id.isin(ids))
    clean = clean_mentions(m, ph)
    genders = name_gender_expr(clean_mentions(every, ph))
    expr = features_expr(clean, name_lookups(clean), partner_forces(), genders)
    feats = expr.to_pyarrow().to_pylist()
    found = {f["mention_id"]: f for f in feats}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"unknown mention {missing[0]!r}")
    tf = dict(
        ((c, v), t)
        for c, v, t in wh.con.execute(
            "SELECT column_name, value, tf FROM resolved_term_frequency"
        ).fetchall()
    )
    out = []
    for i in ids:
        f = dict(found[i])
        for column in TF_COLUMNS:
            f[f"tf_{column}"] = tf.get((column, f[column]))
        out.append(f)
    return out


def _person_of(wh: IbisDuckDB, mention_id: str) -> str | None:
    rows = wh.con.execute(
        "SELECT person_id FROM resolved_mention_person WHERE mention_id = ?", [mention_id]
    ).fetchall()
    return str(rows[0][0]) if rows else None


def explain_pair(wh: IbisDuckDB, mention_a: str, mention_b: str) -> dict[str, Any]:
    """The comparison levels and match weights behind a pair of mentions.

    Returns ``mention_a/b, person_a/b, same_person, match_probability, match_weight,
    prior_weight, threshold, linked`` and ``comparisons`` (one dict per comparison with
    ``comparison, level, gamma, m_probability, u_probability, match_weight,
    tf_adjustment, left, right``). Raises :class:`NotFoundError` for an unknown mention.
    """
    import duckdb
    from splink import DuckDBAPI

    params, threshold = stored_params(wh)
    left, right = _features(wh, [mention_a, mention_b])
    con = duckdb.connect()
    try:
        api = DuckDBAPI(con)
        import pyarrow as pa

        linker = make_linker(api, pa.Table.from_pylist([left, right]), person_spec(), params)
        scored = linker.inference.score_pair(left, right).as_record_list()[0]
    finally:
        con.close()
    comparisons = []
    for comp in params["comparisons"]:
        name = comp["name"]
        gamma = int(scored[f"gamma_{name}"])
        lv = level_label(params, name, gamma)
        tf_adj = scored.get(f"mw_tf_adj_{name}")
        cols = _VALUE_COLUMNS.get(name, (name,))
        comparisons.append(
            {
                "comparison": name,
                "level": lv["label"],
                "gamma": gamma,
                "m_probability": lv["m_probability"],
                "u_probability": lv["u_probability"],
                "match_weight": float(scored.get(f"mw_{name}") or 0.0),
                "tf_adjustment": float(tf_adj) if tf_adj is not None else 0.0,
                "left": {c: _plain(left.get(c)) for c in cols},
                "right": {c: _plain(right.get(c)) for c in cols},
            }
        )
    lam = params["probability_two_random_records_match"]
    pa_, pb = _person_of(wh, mention_a), _person_of(wh, mention_b)
    linked = wh.con.execute(
        "SELECT linked FROM resolved_match_pair WHERE mention_id_l = ? AND mention_id_r = ?",
        sorted([mention_a, mention_b]),
    ).fetchall()
    return {
        "mention_a": mention_a,
        "mention_b": mention_b,
        "person_a": pa_,
        "person_b": pb,
        "same_person": pa_ is not None and pa_ == pb,
        "match_probability": float(scored["match_probability"]),
        "match_weight": float(scored["match_weight"]),
        "prior_weight": math.log2(lam / (1 - lam)),
        "threshold": threshold,
        "linked": bool(linked[0][0]) if linked else False,
        "comparisons": comparisons,
    }


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def explain_person(wh: IbisDuckDB, person_id: str) -> dict[str, Any]:
    """A resolved person: the summary row, the mentions and the links holding them together.

    ``links`` are the person's match edges (model pairs at or above the threshold,
    deterministic identifier links and analyst "same" decisions appear as pairs with their
    scores when the model scored them), each with the level label of every comparison.
    Raises :class:`NotFoundError` for an unknown person.
    """
    params, threshold = stored_params(wh)
    con = wh.con
    cur = con.execute("SELECT * FROM resolved_person WHERE person_id = ?", [person_id])
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        raise NotFoundError(f"unknown person {person_id!r}")
    person = {c: _plain(v) for c, v in zip(cols, rows[0], strict=True)}
    cur = con.execute(
        """
        SELECT m.mention_id, m.force, m.source_system, m.role, m.forename, m.surname, m.dob,
               m.postcode, m.pnc_id, mp.by_decision
        FROM resolved_mention_person mp JOIN staged_person_mention m USING (mention_id)
        WHERE mp.person_id = ? ORDER BY m.mention_id""",
        [person_id],
    )
    mcols = [d[0] for d in cur.description]
    mentions = [{c: _plain(v) for c, v in zip(mcols, r, strict=True)} for r in cur.fetchall()]
    names = [c["name"] for c in params["comparisons"]]
    gam = ", ".join(f"p.gamma_{n}" for n in names)
    cur = con.execute(
        f"""
        SELECT p.mention_id_l, p.mention_id_r, p.match_probability, p.match_weight,
               p.linked, {gam}
        FROM resolved_match_pair p
        JOIN resolved_mention_person a ON a.mention_id = p.mention_id_l
        JOIN resolved_mention_person b ON b.mention_id = p.mention_id_r
        WHERE a.person_id = ? AND b.person_id = ?
        ORDER BY p.match_probability DESC, p.mention_id_l, p.mention_id_r""",
        [person_id, person_id],
    )
    links = []
    for r in cur.fetchall():
        levels = {
            n: level_label(params, n, int(g))["label"] for n, g in zip(names, r[5:], strict=True)
        }
        links.append(
            {
                "mention_a": r[0],
                "mention_b": r[1],
                "match_probability": r[2],
                "match_weight": r[3],
                "linked": bool(r[4]),
                "levels": levels,
            }
        )
    return {"person": person, "mentions": mentions, "links": links, "threshold": threshold}
