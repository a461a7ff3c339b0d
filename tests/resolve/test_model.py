"""Training: deterministic (seeded u sampling, hash-sampled EM) and never leaving a level
untrained or an absolute veto."""

from __future__ import annotations

from pathlib import Path

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


def test_floor_and_fill_untrained() -> None:
    p = floor_m(_params([(1e-9, 0.1), (0.5, 0.2), (None, None), (None, 0.01), (0.02, None)]))
    p = fill_untrained(p, 1e6)
    lv = p["comparisons"][0]["levels"]  # type: ignore[index]
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
    assert runs[0] == runs[1]
    for comp in runs[0]["comparisons"]:
        for lv in comp["levels"]:
            if not lv["is_null_level"]:
                assert lv["m_probability"] is not None and lv["u_probability"] is not None
