"""Accuracy of a clustering against truth: pairwise and B-cubed precision/recall/F1.

SQL builders over a table ``(mention_id, pred, truth[, force])`` (predicted cluster, true
entity), run on DuckDB by :func:`scores`. Pairwise counts come from cluster sizes, so no
pairs are materialised: TP = sum over (pred, truth) cells of C(n, 2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 with the counts behind them."""

    precision: float
    recall: float
    f1: float
    n: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The scores as a plain dict."""
        return asdict(self)


def prf(tp: float, n_pred: float, n_true: float, n: int = 0) -> Scores:
    """Scores from true positives and predicted/true totals (empty sets score 1.0)."""
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_true if n_true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, n)


def pairwise_counts_sql(table: str) -> str:
    """SQL giving ``tp, n_pred, n_true`` pair counts for ``table``."""
    return f"""
        WITH cell AS (SELECT pred, truth, count(*) AS n FROM {table} GROUP BY pred, truth),
             p AS (SELECT pred, sum(n) AS n FROM cell GROUP BY pred),
             t AS (SELECT truth, sum(n) AS n FROM cell GROUP BY truth)
        SELECT (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM cell) AS tp,
               (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM p) AS n_pred,
               (SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM t) AS n_true
    """


def bcubed_sql(table: str, where: str = "TRUE") -> str:
    """SQL giving B-cubed ``precision, recall, n`` over mentions of ``table`` matching
    ``where`` (cluster sizes are always computed over the whole table)."""
    return f"""
        WITH x AS (
            SELECT *, count(*) OVER (PARTITION BY pred, truth) AS n_cell,
                      count(*) OVER (PARTITION BY pred) AS n_pred,
                      count(*) OVER (PARTITION BY truth) AS n_true
            FROM {table})
        SELECT avg(n_cell / n_pred) AS precision, avg(n_cell / n_true) AS recall,
               count(*) AS n
        FROM x WHERE {where}
    """


def force_pair_counts_sql(table: str) -> str:
    """SQL giving ``force_a, force_b, tp, n_pred, n_true`` pair counts per force pair
    (``force_a <= force_b``); needs a ``force`` column."""

    def pairs(key: str) -> str:
        return f"""
            SELECT a.force AS force_a, b.force AS force_b,
                   sum(CASE WHEN a.force = b.force THEN a.n * (a.n - 1) // 2
                            ELSE a.n * b.n END) AS n
            FROM (SELECT {key}, force, count(*) AS n FROM {table} GROUP BY ALL) a
            JOIN (SELECT {key}, force, count(*) AS n FROM {table} GROUP BY ALL) b
              USING ({key})
            WHERE a.force <= b.force GROUP BY 1, 2"""

    return f"""
        WITH tp AS ({pairs("pred, truth")}), pr AS ({pairs("pred")}), tr AS ({pairs("truth")})
        SELECT force_a, force_b, coalesce(tp.n, 0) AS tp, coalesce(pr.n, 0) AS n_pred,
               coalesce(tr.n, 0) AS n_true
        FROM tr FULL JOIN pr USING (force_a, force_b) FULL JOIN tp USING (force_a, force_b)
        WHERE coalesce(tr.n, 0) + coalesce(pr.n, 0) > 0
        ORDER BY force_a, force_b
    """


def pairwise_scores(con: duckdb.DuckDBPyConnection, table: str) -> Scores:
    """Pairwise scores of the clustering in ``table``."""
    row = con.execute(pairwise_counts_sql(table)).fetchall()[0]
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return prf(float(row[0]), float(row[1]), float(row[2]), int(n))


def bcubed_scores(con: duckdb.DuckDBPyConnection, table: str, where: str = "TRUE") -> Scores:
    """B-cubed scores of the clustering in ``table`` over mentions matching ``where``."""
    p, r, n = con.execute(bcubed_sql(table, where)).fetchall()[0]
    if not n:
        return Scores(1.0, 1.0, 1.0, 0)
    p, r = float(p), float(r)
    return Scores(p, r, 2 * p * r / (p + r) if p + r else 0.0, int(n))


def scores(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Scores]:
    """``{"pairwise": ..., "bcubed": ...}`` for ``table``."""
    return {"pairwise": pairwise_scores(con, table), "bcubed": bcubed_scores(con, table)}
