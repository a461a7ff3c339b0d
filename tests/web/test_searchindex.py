"""The best persons of a name search, found from the runs of rows holding the scored names,
are exactly those of ranking every person found (same persons, scores, order and total)."""

from __future__ import annotations

import random

import duckdb
import numpy as np
import pytest

from toex.web.ranking import rank_segments
from toex.web.searchindex import SearchIndex

FORENAMES = ["JOHN", "JON", "JONATHAN", "JACK", "MARY", "MARIE", "ANN", "ANNE", "", "PAUL"]
SURNAMES = ["SMITH", "SMYTH", "SMITHE", "JONES", "JONAS", "BROWN", "BRAUN", "", "KERMODE"]
FORCES = ["cambs", "essex", "norfolk"]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """A coded index of 20,000 random mentions over a few common names (skewed, as names
    are), 3,000 persons and twelve markings, built as the web index builds it."""
    rng = random.Random(3)
    rows = []
    for i in range(20_000):
        person = f"P{rng.randrange(3000):05d}"
        rows.append(
            (
                f"M{i:06d}",
                person,
                rng.choices(FORENAMES, weights=range(len(FORENAMES), 0, -1))[0],
                rng.choices(SURNAMES, weights=range(len(SURNAMES), 0, -1))[0],
                rng.choice(FORCES),
                rng.choice("PC"),
                rng.choice(["OFFICIAL", "SECRET"]),
            )
        )
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE web_mention (mention_id VARCHAR, person_id VARCHAR, forename VARCHAR, "
        "surname VARCHAR, force VARCHAR, handling_code VARCHAR, classification VARCHAR)"
    )
    con.executemany("INSERT INTO web_mention VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    built = SearchIndex.build(con.cursor())
    built.names.prepare()
    return built


def _ranked_all(
    index: SearchIndex, permitted: np.ndarray, f: dict[str, float], s: dict[str, float],
    w: dict[str, float] | None, limit: int,
) -> tuple[list[int], list[float], int]:  # fmt: skip
    found = index.name_scores(permitted, f, s, w)
    order = np.lexsort((found.persons, -found.scores))[:limit]
    return found.persons[order].tolist(), found.scores[order].tolist(), len(found.persons)


def test_top_scores_are_those_of_ranking_every_person(index: SearchIndex) -> None:
    rng = random.Random(9)
    n = len(index.markings)
    permits = [np.ones(n, bool), np.zeros(n, bool)]
    permits += [np.array([rng.random() < 0.5 for _ in range(n)]) for _ in range(6)]
    scores = [1.0, 0.95, 0.9, 0.88, 0.8]
    checked = 0
    for permitted in permits:
        for _ in range(40):
            s = {x: rng.choice(scores) for x in rng.sample(SURNAMES[:-1], rng.randint(1, 4))}
            f = {x: rng.choice(scores) for x in rng.sample(FORENAMES, rng.randint(0, 4))}
            word = None if f else {x: rng.choice(scores) for x in rng.sample(FORENAMES, 2)}
            for limit in (1, 5, 20, 5000):
                top, total = index.top_scores(permitted, f, s, word, limit)
                got = (top.persons.tolist(), top.scores.tolist(), total)
                assert got == _ranked_all(index, permitted, f, s, word, limit), (f, s, word)
                checked += 1
    assert checked == len(permits) * 40 * 4


def test_names_from_the_candidate_index_rank_the_same(index: SearchIndex) -> None:
    permitted = np.array([m[0] != "essex" for m in index.markings])
    for query in ("JOHN SMITH", "JACK SMITH", "MARIE BROWN", "SMITH", "JON", "ANNE KERMODE"):
        first, _, last = query.rpartition(" ")
        s = dict(index.names.surname_scores(last))
        f = dict(index.names.forename_scores(first)) if first else {}
        w = None if first else dict(index.names.forename_scores(last))
        top, total = index.top_scores(permitted, f, s, w, 20)
        assert (top.persons.tolist(), top.scores.tolist(), total) == _ranked_all(
            index, permitted, f, s, w, 20
        )
        assert total > 0, query


def test_rank_segments_counts_each_person_once() -> None:
    a = np.array([1, 1, 3, 7], dtype=np.int64)
    b = np.array([0, 3, 3, 9], dtype=np.int64)
    marks = np.zeros(4, dtype=np.int64)
    permitted = np.array([True])
    top, total = rank_segments([(0.9, a, marks), (0.9, b, marks)], permitted, 10, 3)
    assert (top.persons.tolist(), top.scores.tolist(), total) == ([0, 1, 3], [0.9] * 3, 5)
    top, total = rank_segments([(0.5, a, marks), (1.0, b, marks)], permitted, 10, 4)
    assert (top.persons.tolist(), top.scores.tolist(), total) == ([0, 3, 9, 1], [1, 1, 1, 0.5], 5)
    top, total = rank_segments([(1.0, a, marks)], np.array([False]), 10, 4)
    assert (top.persons.tolist(), total) == ([], 0)
