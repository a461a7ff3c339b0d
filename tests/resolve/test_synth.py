"""Resolution of the generator's data, checked against its truth.

Tiny (default run, on the session's whole-pipeline snapshot ``tiny_warehouse``): planted
serial offenders, twins, the accuracy floor on police-record mentions, partner mentions
reported apart, blocking recall and cost. Small (``slow``, on the session's
``small_warehouse``): the acceptance figures, pairwise and B-cubed F1 >= 0.99.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from toex.engine import SnapshotStore
from toex.resolve.evaluate import blocking_report, evaluate_snapshot


def _snapshot(data: Path) -> Path:
    info = SnapshotStore(data).current()
    assert info is not None
    return info.path


@pytest.fixture(scope="module")
def tiny_report(tiny_synth: Path, tiny_warehouse: Path) -> dict[str, Any]:
    return evaluate_snapshot(_snapshot(tiny_warehouse), tiny_synth)


def test_tiny_serial_offenders_resolve_whole(tiny_report: dict[str, Any]) -> None:
    serial = tiny_report["serial_offenders"]
    assert serial, "no planted serial offender found in truth"
    for s in serial:
        assert s["share"] >= 0.95 and s["other_mentions"] == 0, s


def test_tiny_twins_stay_apart(tiny_report: dict[str, Any]) -> None:
    # Same surname, DOB and address, another forename: two people, never one.
    twins = tiny_report["lookalikes"]["twins"]
    assert twins["pairs"] >= 3
    assert twins["kept_apart"] == twins["pairs"], twins


def test_tiny_accuracy_floor(tiny_report: dict[str, Any]) -> None:
    # Measured at seed 1 (police-record mentions): pairwise P 0.996 R 0.995, B-cubed F1 0.995.
    pw, bc = tiny_report["pairwise"], tiny_report["bcubed"]
    assert pw["precision"] >= 0.99, pw
    assert pw["recall"] >= 0.985, pw
    assert pw["f1"] >= 0.99, pw
    assert bc["f1"] >= 0.99, bc
    by = {v["variation"]: v for v in tiny_report["by_variation"]}
    assert {"nickname", "dob_transposed", "swapped_names", "alias"} <= set(by)
    for kind in ("nickname", "dob_transposed", "swapped_names", "middle_name"):
        assert by[kind]["recall"] >= 0.95, by[kind]


def test_tiny_partner_mentions_are_outside_the_person_figures(
    tiny_report: dict[str, Any], tiny_synth: Path, tiny_warehouse: Path
) -> None:
    truth = tiny_synth / "truth" / "mentions.parquet"
    con = duckdb.connect(str(_snapshot(tiny_warehouse)), read_only=True)
    try:
        n_partner, n_police = con.execute(
            f"SELECT count(*) FILTER (WHERE t.system = 'asw'), "
            f"count(*) FILTER (WHERE t.system <> 'asw') FROM staged_person_mention m "
            f"JOIN read_parquet('{truth}') t ON t.source_file = m.source_file "
            f"AND t.source_row = m.source_row AND t.slot = m.slot "
            f"WHERE t.person_id IS NOT NULL"
        ).fetchall()[0]
    finally:
        con.close()
    assert n_partner > 0
    partner = tiny_report["partner"]
    assert partner["mentions"] == n_partner
    assert tiny_report["bcubed"]["n"] == n_police
    assert tiny_report["all"]["bcubed"]["n"] == n_police + n_partner
    assert {v["variation"] for v in partner["by_variation"]} >= {"working_name"}
    assert 0 <= partner["resolved_with_police"] <= partner["with_police_person"]


def test_tiny_blocking_recall_with_bounded_comparisons(
    tiny_synth: Path, tiny_warehouse: Path
) -> None:
    b = blocking_report(_snapshot(tiny_warehouse), tiny_synth)
    assert b["true_pairs"] > 10_000
    # Measured 0.988 direct (seed 1): the pairs no bounded rule reaches are alias mentions
    # sharing nothing with the person's other mention but through a third (docs/resolve.md).
    assert b["recall"] >= 0.985, b
    assert b["reachable"] >= 0.995, b
    assert b["comparisons"] <= 8 * b["mentions"], b


@pytest.mark.slow
def test_small_meets_the_acceptance_figures(small_synth: Path, small_warehouse: Path) -> None:
    report = evaluate_snapshot(_snapshot(small_warehouse), small_synth)
    assert report["pairwise"]["f1"] >= 0.99, report["pairwise"]
    assert report["bcubed"]["f1"] >= 0.99, report["bcubed"]
    assert report["serial_offenders"], "no planted serial offender found in truth"
    for s in report["serial_offenders"]:
        assert s["share"] >= 0.95 and s["other_mentions"] == 0, s
    twins = report["lookalikes"]["twins"]
    # Known limit (docs/resolve.md, "Conflicts"): a twin known only from one record under a
    # short nickname two edits from his brother's (DAZ for Darren beside DAVE for David, the
    # seed-7 set's one merged pair of 40) is not a family conflict; every other pair is apart.
    assert twins["pairs"] > 0 and twins["kept_apart"] >= twins["pairs"] - 1, twins
