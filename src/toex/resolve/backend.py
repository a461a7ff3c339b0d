"""The seam between resolution and its compute engine: DuckDB or Spark.

Resolution's own SQL (edges, clusters, stable IDs) is written once in Spark/DuckDB-common
SQL and run through a :class:`Backend`; Splink gets the matching ``DatabaseAPI``. One class
per engine; :func:`duckdb_work_backend` opens a private scratch DuckDB file so Splink's
intermediate tables never land in a warehouse snapshot.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
from splink.internals.database_api import DatabaseAPISubClass

from toex.engine.quoting import path_literal


class Backend(Protocol):
    """What resolution needs from an engine."""

    name: str

    def splink_api(self) -> DatabaseAPISubClass:
        """The Splink database API over this engine (one per backend)."""
        ...

    def create(self, name: str, sql: str) -> None:
        """Create (or replace) table ``name`` as the result of ``sql``."""
        ...

    def load(self, name: str, data: pa.Table) -> None:
        """Create (or replace) table ``name`` from an Arrow table."""
        ...

    def fetch(self, sql: str) -> pa.Table:
        """The result of ``sql`` as an Arrow table."""
        ...

    def load_parquet(self, name: str, path: Path) -> None:
        """Create (or replace) table ``name`` from a Parquet file (streamed, not held in
        Python memory)."""
        ...

    def export_parquet(self, sql: str, path: Path) -> None:
        """Write the result of ``sql`` to a Parquet file (streamed)."""
        ...

    def drop(self, name: str) -> None:
        """Drop table ``name`` if it exists (frees its storage)."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...


class DuckDBBackend:
    """A DuckDB connection (by default a private scratch file)."""

    name = "duckdb"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, tmp: tempfile.TemporaryDirectory[str] | None = None
    ) -> None:
        self.con = con
        self._tmp = tmp
        self._api: DatabaseAPISubClass | None = None

    def splink_api(self) -> DatabaseAPISubClass:
        """A ``DuckDBAPI`` on this connection (created once)."""
        if self._api is None:
            from splink import DuckDBAPI

            self._api = DuckDBAPI(self.con)
        return self._api

    def create(self, name: str, sql: str) -> None:
        """``CREATE OR REPLACE TABLE name AS sql``."""
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def load(self, name: str, data: pa.Table) -> None:
        """Create ``name`` from Arrow data."""
        self.con.register("__toex_load", data)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM __toex_load")
        self.con.unregister("__toex_load")

    def fetch(self, sql: str) -> pa.Table:
        """Run ``sql`` and return Arrow."""
        return self.con.execute(sql).fetch_arrow_table()

    def load_parquet(self, name: str, path: Path) -> None:
        """``CREATE OR REPLACE TABLE name AS`` the Parquet file."""
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet({path_literal(path)})"
        )

    def export_parquet(self, sql: str, path: Path) -> None:
        """``COPY (sql) TO path``."""
        self.con.execute(f"COPY ({sql}) TO {path_literal(path)} (FORMAT parquet)")

    def drop(self, name: str) -> None:
        """``DROP TABLE IF EXISTS name``."""
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        """Close the connection and remove the scratch directory."""
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def duckdb_work_backend(
    work_dir: Path | None = None, threads: int = 2, memory_limit: str = "8GB"
) -> DuckDBBackend:
    """A scratch DuckDB file under ``work_dir`` (or the system temp dir), removed on close."""
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(
        prefix="toex_resolve_", dir=str(work_dir) if work_dir else None
    )
    con = duckdb.connect(str(Path(tmp.name) / "work.duckdb"))
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = {path_literal(Path(tmp.name) / 'spill')}")
    con.execute("SET preserve_insertion_order = false")
    return DuckDBBackend(con, tmp)


def spark_sql(sql: str) -> str:
    """DuckDB SQL (resolution writes its SQL once, for DuckDB) as Spark SQL, via sqlglot."""
    import sqlglot

    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write="spark"))


class SparkBackend:
    """A Spark session (tables are temporary views; Splink checkpoints to ``checkpoint_dir``)."""

    name = "spark"

    def __init__(self, spark: Any, checkpoint_dir: str | None = None) -> None:
        self.spark = spark
        if checkpoint_dir:
            spark.sparkContext.setCheckpointDir(checkpoint_dir)
        self._api: DatabaseAPISubClass | None = None

    def splink_api(self) -> DatabaseAPISubClass:
        """A ``SparkAPI`` on this session (created once)."""
        if self._api is None:
            from splink import SparkAPI

            self._api = SparkAPI(spark_session=self.spark)
        return self._api

    def create(self, name: str, sql: str) -> None:
        """Materialise ``sql`` (DuckDB SQL, transpiled) as a cached temporary view ``name``."""
        df = self.spark.sql(spark_sql(sql)).localCheckpoint()
        df.createOrReplaceTempView(name)

    def load(self, name: str, data: pa.Table) -> None:
        """Create temporary view ``name`` from Arrow data."""
        self.spark.createDataFrame(data).createOrReplaceTempView(name)

    def fetch(self, sql: str) -> pa.Table:
        """Run ``sql`` (DuckDB SQL, transpiled) and return Arrow."""
        return self.spark.sql(spark_sql(sql)).toArrow()

    def load_parquet(self, name: str, path: Path) -> None:
        """Temporary view ``name`` over the Parquet file."""
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def export_parquet(self, sql: str, path: Path) -> None:
        """Write the result of ``sql`` as Parquet at ``path`` (a directory of parts)."""
        self.spark.sql(spark_sql(sql)).write.mode("overwrite").parquet(str(path))

    def drop(self, name: str) -> None:
        """Drop the temporary view ``name`` if it exists."""
        self.spark.catalog.dropTempView(name)

    def close(self) -> None:
        """Nothing to release: the session belongs to the caller."""
