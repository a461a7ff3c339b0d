"""Explanations of a pair and of a person, as plain data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from toex.errors import NotFoundError
from toex.resolve.explain import explain_pair, explain_person

from .conftest import population, run


def test_explain_pair_and_person(trained: dict[str, Any], warehouse_factory: Any) -> None:
    extra = [
        {
            "person": "X1",
            "mention_id": "XA",
            "forename": "WILLIAM",
            "surname": "ZEBEDEE",
            "dob": dt.date(1980, 3, 4),
            "gender": "M",
            "postcode": "CB1 2AB",
        },
        {
            "person": "X1",
            "mention_id": "XB",
            "forename": "BILLY",
            "surname": "ZEBEDEE",
            "dob": dt.date(1980, 4, 3),
            "gender": "M",
            "postcode": "CB1 2AB",
        },
    ]
    wh = warehouse_factory(population(100, seed=6) + extra)
    assign = run(wh, "r1", params=trained["params"])
    d = explain_pair(wh, "XA", "XB")
    levels = {c["comparison"]: c["level"] for c in d["comparisons"]}
    assert levels["forename"] == "nickname or diminutive of the same name"
    assert levels["dob"] == "day and month transposed"
    assert levels["postcode"] == "Exact match on postcode"
    assert levels["phone"] == "phone is NULL"
    assert d["same_person"] and d["match_probability"] >= 0.95 and d["linked"]
    total = d["prior_weight"] + sum(
        c["match_weight"] + c["tf_adjustment"] for c in d["comparisons"]
    )
    assert total == pytest.approx(d["match_weight"], abs=1e-6)
    p = explain_person(wh, assign["XA"])
    assert [m["mention_id"] for m in p["mentions"]] == ["XA", "XB"]
    assert p["links"][0]["levels"]["forename"] == "nickname or diminutive of the same name"
    assert p["person"]["forename"] in {"WILLIAM", "BILLY"} and p["person"]["n_mentions"] == 2
    with pytest.raises(NotFoundError):
        explain_pair(wh, "XA", "NOPE")
    with pytest.raises(NotFoundError):
        explain_person(wh, "P000000000000")
