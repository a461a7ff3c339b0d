"""``toex assess``: the commands print the read API's data from the current snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toex.assess.stage import run_assess
from toex.cli.app import app
from toex.engine import SnapshotStore

from .builders import AS_OF, build_warehouse, scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose current snapshot holds the assessed inline scenario."""
    root = tmp_path_factory.mktemp("assess_cli")
    with SnapshotStore(root).begin() as snap:
        build_warehouse(*scenario(), con=snap.con.con)
        run_assess(snap.con, as_of=AS_OF)
    return root


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_perpetrators_of_a_force(data_dir: Path) -> None:
    out = _invoke(
        "assess",
        "perpetrators",
        "--force",
        "Essex",
        "--top",
        "2",
        "--json",
        "--data-dir",
        str(data_dir),
    )
    rows = json.loads(out)
    assert [(r["rank"], r["person_id"]) for r in rows] == [(1, "P1"), (2, "P3")]
    assert rows[0]["reason"].startswith("16 years old; 3 unique victims aged 13-32; 4 VAWG")
    table = _invoke("assess", "perpetrators", "--force", "essex", "--data-dir", str(data_dir))
    assert "Priority VAWG perpetrators, essex" in table and "P1" in table


def test_compare_unresolved(data_dir: Path) -> None:
    rows = json.loads(
        _invoke(
            "assess",
            "perpetrators",
            "--region",
            "eastern",
            "--compare-unresolved",
            "--json",
            "--data-dir",
            str(data_dir),
        )
    )
    assert rows[0] == {
        "rank": 1,
        "unresolved_rank": 1,
        "person_id": "P1",
        "display_name": None,
        "n_mentions": 4,
        "reason": rows[0]["reason"],
    }


def test_safeguarding_and_power_few(data_dir: Path, tmp_path: Path) -> None:
    rows = json.loads(
        _invoke("assess", "safeguarding", "--force", "cambs", "--json", "--data-dir", str(data_dir))
    )
    # V1 was victimised in Cambridgeshire: as P1's victim and as a cross-force repeat victim
    assert sorted((r["check"], r["person_id"]) for r in rows) == [
        ("repeat_victim_cross_force", "V1"),
        ("victim_of_priority_perpetrator", "V1"),
    ]
    svg = tmp_path / "pf.svg"
    out = _invoke("assess", "power-few", "--svg", str(svg), "--data-dir", str(data_dir))
    assert "The power few, all forces" in out and svg.read_text().startswith("<svg")


def test_no_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "perpetrators", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "no warehouse snapshot" in str(result.exception)
