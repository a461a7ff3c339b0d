"""``toex link`` commands on the session's tiny warehouse (read-only)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from toex.cli.app import app
from toex.engine import SnapshotStore

runner = CliRunner()


def _strong_pair(data: Path) -> tuple[str, str]:
    info = SnapshotStore(data).current()
    assert info is not None
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        row = con.execute(
            "SELECT person_a, person_b FROM link_edge WHERE NOT hub_only "
            "AND edge_type = 'co_offending' ORDER BY weight DESC, person_a LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return str(row[0]), str(row[1])


def test_crossforce_prints_the_report(tiny_warehouse: Path) -> None:
    result = runner.invoke(app, ["link", "crossforce", "--data-dir", str(tiny_warehouse)])
    assert result.exit_code == 0, result.output
    assert "new network" in result.output and "Cross-force links" in result.output
    result = runner.invoke(
        app,
        [
            "link",
            "crossforce",
            "--kind",
            "link",
            "--json",
            "--limit",
            "3",
            "--data-dir",
            str(tiny_warehouse),
        ],
    )
    rows = json.loads(result.output)
    assert len(rows) == 3 and all(r["kind"] == "link" and r["n_forces"] >= 2 for r in rows)


def test_path_and_network_commands(tiny_warehouse: Path) -> None:
    a, b = _strong_pair(tiny_warehouse)
    result = runner.invoke(app, ["link", "path", a, b, "--data-dir", str(tiny_warehouse)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{a} -> {b}  (1 hop)")
    assert "co_offending" in result.output
    result = runner.invoke(app, ["link", "path", a, "NOBODY", "--data-dir", str(tiny_warehouse)])
    assert result.exit_code == 1
    assert "no path of at most 4 hops" in result.output
    result = runner.invoke(app, ["link", "network", a, "--json", "--data-dir", str(tiny_warehouse)])
    assert result.exit_code == 0, result.output
    assert a in {m["person_id"] for m in json.loads(result.output)["members"]}
