"""``toex assess misper`` and ``toex assess visor`` on the tiny set's snapshot."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from toex.cli.app import app

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_misper_json_is_the_force_ranking(tiny_warehouse: Path) -> None:
    out = _invoke(
        "assess",
        "misper",
        "--force",
        "Essex",
        "--top",
        "5",
        "--json",
        "--data-dir",
        str(tiny_warehouse),
    )
    rows = json.loads(out)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert all("essex" in r["forces"].split(",") for r in rows)
    assert rows[0]["soc_link"] and "SOC link: " in rows[0]["reason"]
    assert not any(k.startswith("mark_") for k in rows[0])
    frequent = json.loads(
        _invoke(
            "assess",
            "misper",
            "--region",
            "eastern",
            "--frequent",
            "--top",
            "0",
            "--json",
            "--data-dir",
            str(tiny_warehouse),
        )
    )
    assert frequent and all(r["frequent"] for r in frequent)


def test_visor_csv_and_table(tiny_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "visor.csv"
    _invoke(
        "assess",
        "visor",
        "--force",
        "gmp",
        "--top",
        "0",
        "--csv",
        str(out),
        "--data-dir",
        str(tiny_warehouse),
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and {r["force"] for r in rows} == {"gmp"}
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    table = _invoke("assess", "visor", "--force", "gmp", "--data-dir", str(tiny_warehouse))
    assert "ViSOR profile, gmp" in table
