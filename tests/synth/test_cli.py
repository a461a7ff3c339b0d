"""``toex synth`` generates with a per-force summary, and ``--stats`` prints the statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toex.cli.app import app
from toex.errors import ConfigError

runner = CliRunner()


def test_synth_prints_a_per_force_summary(tmp_path: Path) -> None:
    out = tmp_path / "set"
    result = runner.invoke(
        app, ["synth", "--scale", "tiny", "--seed", "5", "--out", str(out)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 5
    for force in (
        "cambs",
        "essex",
        "norfolk",
        "northants",
        "leics",
        "wmp",
        "staffs",
        "lancs",
        "gmp",
        "asw",
        "toex",
    ):
        assert force in result.output
    total = sum(f["rows"] for f in manifest["files"])
    assert f"{total:,}" in result.output


def test_stats_prints_the_realism_statistics(tiny_synth: Path) -> None:
    result = runner.invoke(app, ["synth", "--stats", str(tiny_synth)], terminal_width=200)
    assert result.exit_code == 0, result.output
    for text in (
        "most common surname",
        "people seen in 2+ forces",
        "nickname",
        "placeholder_phone",
        "SERIAL-01",
        "NETWORK-01",
    ):
        assert text in result.output


def test_unknown_scale_is_a_config_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--scale", "huge", "--out", str(tmp_path)])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception) == "unknown scale 'huge'; choose one of tiny, small, large"
    assert result.exception.exit_code == 2
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("argv", [["synth", "--help"]])
def test_help_names_the_scales(argv: list[str]) -> None:
    result = runner.invoke(app, argv, terminal_width=200)
    assert result.exit_code == 0
    assert "tiny" in result.output and "--stats" in result.output
