"""``toex tracker import``, ``toex tracker dashboard`` and ``toex evaluate impact``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toex.cli.app import app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    from toex.config import get_settings

    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_import_dashboard_and_impact(data_dir: Path, tiny_synth: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "aars.csv"
    bad.write_text(
        "reference,operation_reference,aar_date,threat_types\nX/1,TOEX/OP/NOPE,2025-01-01,other\n"
    )
    first = runner.invoke(
        app, ["tracker", "import", str(tiny_synth / "tracker"), "--as-of", "2025-12-31"]
    )
    assert first.exit_code == 0, first.output
    assert "operations.csv" in first.output
    rejected = runner.invoke(app, ["tracker", "import", str(bad), "--as-of", "2025-12-31"])
    assert "row 1, field operation_reference: no operation 'TOEX/OP/NOPE'" in rejected.output
    out = tmp_path / "board.csv"
    board = runner.invoke(
        app,
        [
            "tracker",
            "dashboard",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--force",
            "essex",
            "--json",
            "--csv",
            str(out),
        ],
    )
    assert board.exit_code == 0, board.output
    figures = json.loads(board.output)["figures"]
    assert figures["aars"] > 0
    assert out.read_text().startswith("section,item,count,percent")
    impact = runner.invoke(app, ["evaluate", "impact", "--json"])
    assert impact.exit_code == 0, impact.output
    events = {e["event"]: e for e in json.loads(impact.output)["events"]}
    assert set(events) == {"scored", "top10", "disruption"}
    assert (
        events["scored"]["ci_low"]
        <= events["scored"]["times_faster"]
        <= events["scored"]["ci_high"]
    )
