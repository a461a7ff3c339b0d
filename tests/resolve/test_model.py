"""Training: deterministic (seeded u sampling, hash-sampled EM) and never leaving a level
untrained or an absolute veto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from toex.resolve.backend import DuckDBBackend
from toex.resolve.model import M_FLOOR, fill_untrained, floor_m, linker_factory, train
from toex.resolve.run import build_features
from toex.resolve.specs import person_spec

from .conftest import make_warehouse, population


def _params(levels: list[tuple[float | None, float | None]]) -> dict[str, object]:
    return {
        "probability_two_random_records_match": 0.01,
        "comparisons": [
            {
                "name": "x",
                "levels": [
                    {
                        "label": f"l{i}",
                        "m_probability": m,
                        "u_probability": u,
                        "is_null_level": False,
                    }
                    for i, (m, u) in enumerate(levels)
                ],
            }
        ],
    }


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


def test_narrow_prediction_equals_splinks_own(trained: dict[str, Any], tmp_path: Path) -> None:
    from toex.resolve.blocking import blocked_pairs_sql
    from toex.resolve.model import make_linker, predict

    wh = make_warehouse(tmp_path / "wh.duckdb", population(60, seed=21))
    try:
        feats, _ = build_features(wh)
    finally:
        wh.disconnect()
    spec = person_spec()
    be = DuckDBBackend(duckdb.connect())
    be.load("feats", feats)
    be.create("blocked", blocked_pairs_sql("feats", spec.blocks))
    blocked = be.splink_api().register("blocked")
    narrow = predict(make_linker(be.splink_api(), "feats", spec, trained["params"]), 0.01, blocked)
    rows = narrow.as_record_list()
    gammas = {f"gamma_{c['name']}" for c in trained["params"]["comparisons"]}
    assert set(rows[0]) == {
        "mention_id_l",
        "mention_id_r",
        "match_weight",
        "match_probability",
        "match_key",
        *gammas,
    }
    full = make_linker(be.splink_api(), "feats", spec, trained["params"]).inference.predict(
        threshold_match_probability=0.01
    )
    want = {(r["mention_id_l"], r["mention_id_r"]): r for r in full.as_record_list()}
    assert len(rows) > 20 and {(r["mention_id_l"], r["mention_id_r"]) for r in rows} == set(want)
    for r in rows:
        w = want[(r["mention_id_l"], r["mention_id_r"])]
        assert r["match_probability"] == pytest.approx(w["match_probability"], abs=1e-12)
        assert all(r[g] == w[g] for g in gammas)
    be.close()


def test_floor_and_fill_untrained() -> None:
    p = floor_m(_params([(1e-9, 0.1), (0.5, 0.2), (None, None), (None, 0.01), (0.02, None)]))
    p = fill_untrained(p, 1e6)
    lv = p["comparisons"][0]["levels"]
    assert lv[0]["m_probability"] == M_FLOOR  # no veto
    assert lv[1]["m_probability"] == 0.5
    assert lv[2]["m_probability"] == lv[2]["u_probability"] == M_FLOOR  # weighs nothing
    assert lv[3]["m_probability"] == M_FLOOR
    assert lv[4]["u_probability"] == pytest.approx(0.5e-6)


def test_training_is_deterministic(tmp_path: Path) -> None:
    wh = make_warehouse(tmp_path / "wh.duckdb", population(300, seed=12, mentions=(1, 4)))
    try:
        feats, _ = build_features(wh)
    finally:
        wh.disconnect()
    # small max_pairs so that EM's hash sampling is exercised
    spec = person_spec(u_max_pairs=2e5, em_max_pairs=2e3)
    runs = []
    for _ in range(2):
        be = DuckDBBackend(duckdb.connect())
        be.load("feats", feats)
        runs.append(train(linker_factory(be.splink_api(), "feats", spec), spec))
        be.close()
    # Equal up to float rounding: DuckDB's parallel sums may add in another order.
    assert _rounded(runs[0]) == _rounded(runs[1])
    for comp in runs[0]["comparisons"]:
        for lv in comp["levels"]:
            if not lv["is_null_level"]:
                assert lv["m_probability"] is not None and lv["u_probability"] is not None
