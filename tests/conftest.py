"""Shared fixtures.

Fixture strategy: the smallest data that shows a behaviour is built inline in each test.
Integration tests share one session-scoped tiny synthetic data set (``tiny_synth``); the
operational store runs on SQLite by default and on a throw-away PostgreSQL database when
``TOEX_TEST_POSTGRES_URL`` is set (CI sets it), through the ``ops_url`` fixture.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "TOEX_TEST_POSTGRES_URL"


@pytest.fixture(scope="session", autouse=True)
def _data_dir_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Nothing a test runs writes under the checkout's ./var (key files, stores): the
    default data directory is a temporary one unless a test sets its own."""
    from toex.config import get_settings

    saved = os.environ.get("TOEX_DATA_DIR")
    os.environ["TOEX_DATA_DIR"] = str(tmp_path_factory.mktemp("default_data_dir"))
    get_settings.cache_clear()
    yield
    if saved is None:
        os.environ.pop("TOEX_DATA_DIR", None)
    else:
        os.environ["TOEX_DATA_DIR"] = saved
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def tiny_synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny synthetic data set (seed 1), generated once per test session."""
    from toex.synth import generate

    out = tmp_path_factory.mktemp("synth_tiny")
    generate(scale="tiny", seed=1, out=out)
    return out


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards.

    Skips when ``TOEX_TEST_POSTGRES_URL`` is unset; CI (``.ci/run``) always sets it.
    """
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set")
    name = f"toex_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def ops_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty operational store URL: SQLite, then PostgreSQL (when configured)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ops.sqlite'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def tiny_warehouse(tiny_synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the whole pipeline's snapshot of the tiny synthetic set.

    Built once per test session; tests open it read-only and never change it.
    """
    from toex.pipeline import run

    data_dir = tmp_path_factory.mktemp("tiny_data")
    run(tiny_synth, data_dir, progress=False)
    return data_dir


@pytest.fixture(scope="session")
def small_synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small synthetic data set (seed 7, ~200k mentions), generated once per session.

    Only ``slow`` tests use it; every slow tier shares this one copy and its warehouse.
    """
    from toex.synth import generate

    prepared = os.environ.get("TOEX_TEST_SMALL_SYNTH")
    if prepared:  # a developer's ready copy (never set in CI)
        return Path(prepared)
    out = tmp_path_factory.mktemp("synth_small")
    generate(scale="small", seed=7, out=out)
    return out


@pytest.fixture(scope="session")
def small_warehouse(small_synth: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the whole pipeline's snapshot of the small synthetic set."""
    from toex.pipeline import run

    prepared = os.environ.get("TOEX_TEST_SMALL_DATA")
    if prepared:  # a developer's ready pipeline run of TOEX_TEST_SMALL_SYNTH (never in CI)
        return Path(prepared)
    data_dir = tmp_path_factory.mktemp("small_data")
    run(small_synth, data_dir, progress=False)
    return data_dir
