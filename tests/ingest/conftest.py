"""Fixtures for ingest tests.

Fixture strategy: each test writes the smallest export that shows the behaviour, inline, in
the synthetic systems' formats (see ``src/toex/synth/data/formats.yaml``) with the helpers
in ``exports.py``. Tests load into an in-memory DuckDB (``con``) unless they test snapshots
or the CLI; the synthetic acceptance tests use the session's ``tiny_synth`` data set.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from toex.ingest.mapping import Mapping, shipped_mappings


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection."""
    c = duckdb.connect()
    yield c
    c.close()


@pytest.fixture(scope="session")
def mappings() -> dict[str, Mapping]:
    """The shipped mappings by name."""
    return {m.name: m for m in shipped_mappings()}
