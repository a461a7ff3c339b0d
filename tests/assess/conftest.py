"""Fixtures for the assess tests.

Fixture strategy: the smallest warehouse that shows a behaviour, built inline from a few
event and mention dicts (``builders.py``); the planted-offender acceptance tests run the
real pipeline (synth -> ingest -> resolve -> assess) on the session's tiny synthetic set.
"""

from __future__ import annotations

import duckdb
import pytest

from .builders import AS_OF, build_warehouse, scenario


@pytest.fixture(scope="session")
def scenario_con() -> duckdb.DuckDBPyConnection:
    """The inline scenario, resolved, assessed as of 2025-12-31 (shared: do not modify)."""
    from toex.assess.stage import run_assess

    con = build_warehouse(*scenario())
    run_assess(con, as_of=AS_OF)
    return con
