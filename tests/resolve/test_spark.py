"""The same model on Spark: parameters trained on DuckDB, copied across, same predictions."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from toex.resolve.backend import DuckDBBackend, SparkBackend
from toex.resolve.blocking import block_keys_sql, blocked_pairs_sql
from toex.resolve.model import make_linker, predict
from toex.resolve.specs import person_spec

from .conftest import make_warehouse, population


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pyspark = pytest.importorskip("pyspark")
    from splink.backends.spark import similarity_jar_location

    os.environ["PYSPARK_PYTHON"] = sys.executable
    tmp = tmp_path_factory.mktemp("spark")
    session = (
        pyspark.sql.SparkSession.builder.master("local[1]")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session, tmp
    session.stop()


@pytest.mark.spark
def test_spark_predictions_equal_duckdb(
    spark: Any, trained: dict[str, Any], tmp_path: Path
) -> None:
    import duckdb

    from toex.resolve.run import build_features

    session, tmp = spark
    wh = make_warehouse(tmp_path / "wh.duckdb", population(40, seed=8))
    try:
        feats, _ = build_features(wh)
    finally:
        wh.disconnect()
    spec = person_spec()
    params = trained["params"]

    duck = DuckDBBackend(duckdb.connect())
    duck.load("feats", feats)
    # The stage's own blocked pairs (SQL) and Splink's blocking rules give the same pairs.
    duck.create("blocked", blocked_pairs_sql("feats", spec.blocks))
    blocked = duck.splink_api().register("blocked")
    d_pred = predict(make_linker(duck.splink_api(), "feats", spec, params), 0.01, blocked)
    want = {
        (r["mention_id_l"], r["mention_id_r"]): r["match_probability"]
        for r in d_pred.as_record_list()
    }
    by_rules = predict(make_linker(duck.splink_api(), "feats", spec, params), 0.01)
    assert {(r["mention_id_l"], r["mention_id_r"]) for r in by_rules.as_record_list()} == set(want)
    duck.close()

    sb = SparkBackend(session, checkpoint_dir=str(tmp / "checkpoints"))
    sb.load("feats", feats)
    # The run's integer-keyed blocking SQL, transpiled to Spark, gives the same pairs.
    sb.create("block_keys", block_keys_sql("feats", spec.blocks))
    sb.create("blocked", blocked_pairs_sql("block_keys", spec.blocks, keyed=True))
    s_blocked = sb.splink_api().register("blocked")
    s_pred = predict(make_linker(sb.splink_api(), "feats", spec, params), 0.01, s_blocked)
    got = {
        (r["mention_id_l"], r["mention_id_r"]): r["match_probability"]
        for r in s_pred.as_pandas_dataframe().to_dict("records")
    }
    assert len(want) > 20
    assert set(got) == set(want)
    for k, p in want.items():
        assert got[k] == pytest.approx(p, abs=1e-9), k
