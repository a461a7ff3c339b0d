"""STIM acceptance on the small synthetic set (seed 7): case grouping, high-risk cases, the
planted network's cross-match, and every report figure recomputed from the raw files.

The tiny set holds only three true multi-account cases, too few to measure grouping; the
small set holds about thirty. These tests take the pipeline's snapshot of the small set
(``small_warehouse``, or a prepared one named by ``TOEX_TEST_SMALL_DATA`` with its synthetic
directory in ``TOEX_TEST_SMALL_SYNTH``), copy it, and rebuild the STIM tables on the copy
with the code under test (``build_stim``: staged partner data in, ``stim_*`` and the
cross-match with resolved force data out), so a snapshot prepared earlier still tests the
current code. Scores are computed against ``truth/`` only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from toex.assess.stim.evaluate import case_pairwise, trafficking_in_high_cases
from toex.assess.stim.stage import build_stim
from toex.ops import open_store
from toex.ops.db import OpsStore

from .test_stim_synth import _snapshot, check_report_figures, planted_network_forces

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_dirs(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(data directory holding the pipeline's snapshot, synthetic data directory)."""
    data, synth = os.environ.get("TOEX_TEST_SMALL_DATA"), os.environ.get("TOEX_TEST_SMALL_SYNTH")
    if data and synth:
        return Path(data), Path(synth)
    return request.getfixturevalue("small_warehouse"), request.getfixturevalue("small_synth")


@pytest.fixture(scope="module")
def small_con(
    small_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A copy of the small set's snapshot with the STIM tables rebuilt by the current code."""
    copy = tmp_path_factory.mktemp("stim_small") / "snapshot.duckdb"
    shutil.copyfile(_snapshot(small_dirs[0]), copy)
    con = duckdb.connect(str(copy))
    summary = build_stim(con)
    assert summary.cases > 0 and summary.crossmatches > 0
    yield con
    con.close()


@pytest.fixture
def small_truth(small_dirs: tuple[Path, Path]) -> pd.DataFrame:
    """The partner accounts' ground truth of the small set."""
    return pd.read_parquet(small_dirs[1] / "truth" / "asw_accounts.parquet")


def test_case_grouping_on_the_small_set(
    small_con: duckdb.DuckDBPyConnection, small_truth: pd.DataFrame
) -> None:
    multi = small_truth["case_id"].value_counts()
    assert (multi > 1).sum() >= 20, "the small set should hold enough true cases to measure"
    ent = small_con.execute("SELECT account_id, case_id FROM stim_entity").df()
    score = case_pairwise(ent, small_truth)
    assert score.true_pairs >= 100, score
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def test_every_trafficking_account_is_in_a_high_risk_case_on_the_small_set(
    small_con: duckdb.DuckDBPyConnection, small_truth: pd.DataFrame
) -> None:
    ent = small_con.execute("SELECT * FROM stim_entity").df()
    case = small_con.execute("SELECT * FROM stim_case").df()
    assert small_truth["trafficking"].sum() >= 50
    assert trafficking_in_high_cases(ent, case, small_truth) == []


def test_network_cross_matched_in_four_forces_on_the_small_set(
    small_con: duckdb.DuckDBPyConnection, small_dirs: tuple[Path, Path]
) -> None:
    forces = planted_network_forces(small_con, small_dirs[1])
    assert len(forces) >= 4, forces


@pytest.fixture
def small_ops(tmp_path: Path) -> Iterator[OpsStore]:
    """An empty operational store for the referrals the report test raises."""
    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield store
    store.dispose()


def test_every_report_figure_recomputed_on_the_small_set(
    small_con: duckdb.DuckDBPyConnection, small_dirs: tuple[Path, Path], small_ops: OpsStore
) -> None:
    check_report_figures(small_con, small_dirs[1], small_ops)
