"""The resolve stage inside the pipeline, and the ``toex resolve`` commands on its snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ibis
from typer.testing import CliRunner

from toex.cli.app import app
from toex.engine import SnapshotStore
from toex.model.tables import STAGED_EVENT, STAGED_LOCATION, STAGED_OBJECT, STAGED_PERSON_MENTION
from toex.pipeline import run
from toex.resolve.stage import run_resolve_stage

from .conftest import _mention_row, population


def _stage_population(ctx: Any) -> None:
    rows = [_mention_row(i, m) for i, m in enumerate(population(250, seed=21, mentions=(2, 3)))]
    ctx.con.create_table(
        "staged_person_mention",
        ibis.memtable(rows, schema=STAGED_PERSON_MENTION.ibis_schema()),
        overwrite=True,
    )
    for spec in (STAGED_EVENT, STAGED_OBJECT, STAGED_LOCATION):
        ctx.con.create_table(spec.name, schema=spec.ibis_schema(), overwrite=True)


def _assignment(data_dir: Path) -> dict[str, str]:
    con = SnapshotStore(data_dir).open_current()
    try:
        return dict(
            con.con.execute("SELECT mention_id, person_id FROM resolved_mention_person").fetchall()
        )
    finally:
        con.disconnect()


def test_stage_then_cli_decide_run_and_explain(tmp_path: Path) -> None:
    data = tmp_path / "var"
    first = run(None, data, stages=[_stage_population, run_resolve_stage], progress=False)
    assert (data / "models" / f"{first.run_id}.json").exists()
    before = _assignment(data)
    members: dict[str, list[str]] = {}
    for m, p in sorted(before.items()):
        members.setdefault(p, []).append(m)
    a, b = next(ms for ms in members.values() if len(ms) >= 2)[:2]

    cli = CliRunner()
    out = cli.invoke(
        app,
        [
            "resolve",
            "decide",
            a,
            b,
            "--not-same",
            "--reason",
            "twins",
            "--by",
            "ann",
            "--data-dir",
            str(data),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "not the same person" in out.output
    out = cli.invoke(app, ["resolve", "run", "--data-dir", str(data)])
    assert out.exit_code == 0, out.output
    after = _assignment(data)
    assert after[a] != after[b]
    assert sum(after[m] != p for m, p in before.items()) <= len(members[before[a]])

    out = cli.invoke(app, ["resolve", "explain", a, b, "--json", "--data-dir", str(data)])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["same_person"] is False and len(d["comparisons"]) == 8
    out = cli.invoke(app, ["resolve", "explain", "--person", after[a], "--data-dir", str(data)])
    assert out.exit_code == 0 and a in out.output
    out = cli.invoke(app, ["resolve", "explain", "--person", "PNOPE", "--data-dir", str(data)])
    assert out.exit_code != 0
