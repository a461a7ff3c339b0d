"""SQL builders: IDs agree with the model's helper; renumbering around left-out rows."""

from __future__ import annotations

import duckdb

from toex.ingest import staging_sql as q
from toex.model.ids import stable_id


def test_stable_id_sql_equals_the_python_helper() -> None:
    con = duckdb.connect()
    parts = [("cambs", "crime", "CC/1"), ("a", None, "é\u00a0z"), ("", "", "")]
    for p in parts:
        exprs = ["NULL" if v is None else q.sql_str(v) for v in p]
        assert con.execute(f"SELECT {q.stable_id_sql(*exprs)}").fetchone() == (stable_id(*p),)


def test_renumber_sql_skips_the_left_out_record_numbers() -> None:
    con = duckdb.connect()
    # 10 records; 2, 3 and 7 were left out, so the good rows' positions 1..7 are 1,4,5,6,8,9,10
    con.execute(f"CREATE TEMP TABLE {q.SOURCE} AS SELECT range + 1 AS source_row FROM range(7)")
    con.execute(
        "CREATE TEMP TABLE ingest_reader_faults AS SELECT * FROM "
        "(VALUES (2), (3), (7)) t(source_row)"
    )
    con.execute(q.renumber_sql())
    assert [
        r[0] for r in con.execute(f"SELECT source_row FROM {q.SOURCE} ORDER BY 1").fetchall()
    ] == [1, 4, 5, 6, 8, 9, 10]


def test_renumber_expr_agrees_with_the_asof_rewrite() -> None:
    con = duckdb.connect()
    skipped = [1, 2, 5, 9, 10, 11, 30]
    good = 40 - len(skipped)
    con.execute(
        f"CREATE TEMP TABLE {q.SOURCE} AS SELECT range + 1 AS source_row FROM range({good})"
    )
    expr = q.renumber_expr(skipped)
    fast = [r[0] for r in con.execute(f"SELECT {expr} FROM {q.SOURCE} ORDER BY 1").fetchall()]
    con.execute(
        "CREATE TEMP TABLE ingest_reader_faults AS SELECT unnest(?::BIGINT[]) AS source_row",
        [skipped],
    )
    con.execute(q.renumber_sql())
    slow = [r[0] for r in con.execute(f"SELECT source_row FROM {q.SOURCE} ORDER BY 1").fetchall()]
    assert fast == slow == [n for n in range(1, 41) if n not in skipped]
    assert q.renumber_expr([]) == "source_row"
