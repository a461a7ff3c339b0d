"""End-to-end resolution on inline populations: accuracy, placeholder hubs, decisions and
stable IDs. The model is trained once per session (``trained``) and reused."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from toex.ops import open_store
from toex.ops.decisions import (
    active_decisions,
    decision_triples,
    record_decision,
    revoke_decision,
)
from toex.resolve import metrics

from .conftest import assignment, population, run, truth_of


def _scores(mentions: list[dict[str, Any]], assign: dict[str, str]) -> dict[str, float]:
    truth = truth_of(mentions)
    con = duckdb.connect()
    con.register(
        "t",
        pa.table(
            {
                "mention_id": list(truth),
                "truth": list(truth.values()),
                "pred": [assign[m] for m in truth],
            }
        ),
    )
    s = metrics.scores(con, "t")
    return {"pairwise": s["pairwise"].f1, "bcubed": s["bcubed"].f1}


def test_trained_model_resolves_the_population(trained: dict[str, Any]) -> None:
    s = _scores(trained["mentions"], trained["assign"])
    assert s["pairwise"] >= 0.99 and s["bcubed"] >= 0.99, s
    w = {c["name"]: c for c in trained["params"]["comparisons"]}
    exact = w["dob"]["levels"][1]
    assert exact["m_probability"] > 50 * exact["u_probability"]


def test_placeholder_hub_merges_nobody(trained: dict[str, Any], warehouse_factory: Any) -> None:
    rnd = random.Random(9)
    hub = [
        {
            "person": f"H{i:03d}",
            "forename": f"HUBNAME{chr(65 + i % 26)}{i}",
            "surname": f"HUBSURNAME{i}",
            "dob": dt.date(1900, 1, 1),
            "phone": "+447000000000",
            "gender": rnd.choice("MF"),
            "mention_id": f"H{i:03d}",
        }
        for i in range(50)
    ]
    # A second hub nobody listed: one mobile on 30 unrelated people (data-driven).
    hub2 = [
        {
            "person": f"K{i:03d}",
            "forename": f"KNAME{i}",
            "surname": f"KSURNAME{i}",
            "dob": dt.date(1970 + i % 20, 1 + i % 12, 1 + i % 27),
            "phone": "+447911999111",
            "mention_id": f"K{i:03d}",
        }
        for i in range(30)
    ]
    mentions = population(150, seed=4) + hub + hub2
    wh = warehouse_factory(mentions)
    run(wh, "r1", params=trained["params"])
    assign = assignment(wh)
    assert len({assign[str(m["mention_id"])] for m in hub}) == 50
    assert len({assign[str(m["mention_id"])] for m in hub2}) == 30
    found = wh.con.execute(
        "SELECT column_name, value FROM resolved_placeholder "
        "WHERE column_name = 'phone' ORDER BY value"
    ).fetchall()
    assert ("phone", "+447911999111") in found and ("phone", "+447000000000") in found


def test_decisions_split_merge_survive_reruns_and_keep_untouched_ids(
    trained: dict[str, Any], warehouse_factory: Any, tmp_path: Path
) -> None:
    mentions = population(120, seed=11, mentions=(2, 4))
    wh = warehouse_factory(mentions)
    run(wh, "r1", params=trained["params"])
    first = assignment(wh)
    by_person: dict[str, list[str]] = {}
    for m, p in sorted(first.items()):
        by_person.setdefault(p, []).append(m)
    big = [ms for ms in by_person.values() if len(ms) >= 3]
    split_pair = (big[0][0], big[0][-1])
    merge_pair = (big[1][0], big[2][0])
    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    try:
        d1 = record_decision(
            store, *split_pair, same=False, reason="different DOB on PNC", decided_by="analyst1"
        )
        record_decision(
            store, *merge_pair, same=True, reason="custody photo match", decided_by="analyst1"
        )
        decisions = decision_triples(active_decisions(store))
        second = run(wh, "r2", params=trained["params"], previous=first, decisions=decisions)
        assert second[split_pair[0]] != second[split_pair[1]]
        assert second[merge_pair[0]] == second[merge_pair[1]]
        touched = set(big[0]) | set(big[1]) | set(big[2])
        for m, p in first.items():
            if m not in touched:
                assert second[m] == p, m
        third = run(wh, "r3", params=trained["params"], previous=second, decisions=decisions)
        assert third == second
        revoke_decision(store, d1.id, revoked_by="supervisor1")
        fourth = run(
            wh,
            "r4",
            params=trained["params"],
            previous=third,
            decisions=decision_triples(active_decisions(store)),
        )
        assert fourth[split_pair[0]] == fourth[split_pair[1]]
    finally:
        store.dispose()


def test_scoring_in_slices_gives_the_same_pairs_and_persons(
    trained: dict[str, Any], warehouse_factory: Any
) -> None:
    """Blocked pairs scored in several slices (a small ``slice_pairs``) give exactly the
    scored pairs and persons of one query."""
    from toex.resolve.run import ResolveConfig, resolve_people

    mentions = population(150, seed=11)
    out = {}
    for name, slice_pairs in (("whole", 10_000_000), ("sliced", 97)):
        wh = warehouse_factory(mentions, name)
        res = resolve_people(
            wh,
            run_id=name,
            params=trained["params"],
            config=ResolveConfig(slice_pairs=slice_pairs),
        )
        pairs = wh.con.execute(
            "SELECT mention_id_l, mention_id_r, round(match_weight, 9) FROM resolved_match_pair "
            "ORDER BY 1, 2"
        ).fetchall()
        out[name] = (res.n_slices, pairs, assignment(wh))
    assert out["whole"][0] == 1 and out["sliced"][0] > 3
    assert out["sliced"][1] == out["whole"][1] and len(out["whole"][1]) > 100
    assert out["sliced"][2] == out["whole"][2]


def test_training_sample_sql_is_a_stable_uniform_subset() -> None:
    from toex.resolve.run import training_sample_sql

    con = duckdb.connect()
    con.execute("CREATE TABLE f AS SELECT 'm' || i AS mention_id, i FROM range(1000) t(i)")
    assert training_sample_sql("f", 1000, 1000) is None
    assert training_sample_sql("f", 1000, None) is None
    sql = training_sample_sql("f", 1000, 300)
    assert sql is not None
    sample = con.execute(sql).fetchall()
    again = con.execute(sql).fetchall()
    assert len(sample) == 300 and sorted(sample) == sorted(again)
    # Uniform: not the first 300 IDs, and spread over the whole range.
    ids = sorted(i for _m, i in sample)
    assert ids[0] < 50 and ids[-1] > 950 and 100 < sum(i < 500 for i in ids) < 200


def test_model_trained_on_a_sample_of_mentions_resolves_as_well(
    trained: dict[str, Any], warehouse_factory: Any
) -> None:
    """Trained on a uniform half of the mentions (``train_mentions``), the model resolves
    the whole population as accurately as the model trained on all of them."""
    from toex.resolve.run import ResolveConfig, resolve_people
    from toex.resolve.specs import person_spec

    from .conftest import TEST_SPEC_KW

    mentions = trained["mentions"]
    wh = warehouse_factory(mentions, "sampled")
    res = resolve_people(
        wh,
        run_id="sampled",
        config=ResolveConfig(spec=person_spec(**TEST_SPEC_KW), train_mentions=len(mentions) // 2),
    )
    sampled = _scores(mentions, assignment(wh))
    full = _scores(mentions, trained["assign"])
    assert res.params != trained["params"]
    assert sampled["pairwise"] >= 0.99 and sampled["bcubed"] >= 0.99, sampled
    assert abs(sampled["pairwise"] - full["pairwise"]) < 0.005, (sampled, full)
