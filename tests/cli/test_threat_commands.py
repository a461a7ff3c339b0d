"""``toex assess threats`` on the tiny set's snapshot: the area's list, best first, and the
tables by exploitation type and scale over the same threats."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from toex.cli.app import app
from toex.engine import SnapshotStore

runner = CliRunner()


def test_threats_of_a_region_with_tables(tiny_warehouse: Path) -> None:
    result = runner.invoke(
        app,
        [
            "assess", "threats", "--region", "north_west", "--top", "5", "--tables", "--json",
            "--data-dir", str(tiny_warehouse),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    info = SnapshotStore(tiny_warehouse).current()
    assert info is not None
    con = duckdb.connect(str(info.path), read_only=True)
    expected = [
        r[0]
        for r in con.execute(
            "SELECT threat_id FROM assess_threat WHERE list_contains(regions, 'north_west') "
            "ORDER BY rank"
        ).fetchall()
    ]
    con.close()
    assert [t["threat_id"] for t in out["threats"]] == expected[:5]
    assert [t["area_rank"] for t in out["threats"]] == [1, 2, 3, 4, 5]
    total = {r["key"]: r["count"] for r in out["by_type"]}["total"]
    assert total == len(expected)
    assert sum(r["count"] for r in out["by_scale"] if r["key"] != "total") == len(expected)
    typed = sum(r["count"] for r in out["by_type"] if r["key"] not in ("total", "multiple"))
    multiple = {r["key"]: r["count"] for r in out["by_type"]}["multiple"]
    assert typed >= total and (typed > total) == (multiple > 0)


def test_threats_table_output(tiny_warehouse: Path) -> None:
    result = runner.invoke(
        app, ["assess", "threats", "--force", "gmp", "--data-dir", str(tiny_warehouse)]
    )
    assert result.exit_code == 0, result.output
    assert "Threats, gmp: top 10 of" in result.output
