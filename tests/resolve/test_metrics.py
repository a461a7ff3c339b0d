"""Pairwise and B-cubed scores on hand-computed examples."""

from __future__ import annotations

import duckdb
import pytest

from toex.resolve import metrics


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    # truth: {1,2,3} {4,5}; predicted: {1,2} {3,4,5}
    c.execute("""CREATE TABLE t AS SELECT * FROM (VALUES
        ('m1', 'A', 'X', 'f1'), ('m2', 'A', 'X', 'f2'), ('m3', 'B', 'X', 'f1'),
        ('m4', 'B', 'Y', 'f1'), ('m5', 'B', 'Y', 'f2')) v(mention_id, pred, truth, force)""")
    return c


def test_pairwise_counts_and_scores(con: duckdb.DuckDBPyConnection) -> None:
    # true pairs: 3 + 1 = 4; predicted pairs: 1 + 3 = 4; TP: (1,2) and (4,5) = 2
    s = metrics.pairwise_scores(con, "t")
    assert (s.precision, s.recall, s.n) == (0.5, 0.5, 5)
    assert s.f1 == pytest.approx(0.5)


def test_bcubed(con: duckdb.DuckDBPyConnection) -> None:
    s = metrics.bcubed_scores(con, "t")
    # precision per mention: 1, 1, 1/3, 2/3, 2/3 ; recall: 2/3, 2/3, 1/3, 1, 1
    assert s.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert s.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    only_x = metrics.bcubed_scores(con, "t", "truth = 'X'")
    assert only_x.n == 3


def test_force_pairs(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(metrics.force_pair_counts_sql("t")).fetchall()
    # f1-f1: true (1,3); pred (3,4); tp none.  f1-f2: true (1,2),(2,3),(4,5); pred (1,2),(3,5),(4,5)
    assert rows == [("f1", "f1", 0, 1, 1), ("f1", "f2", 2, 3, 3)]


def test_prf_empty_sets_score_one() -> None:
    assert metrics.prf(0, 0, 0) == metrics.Scores(1.0, 1.0, 1.0, 0)
