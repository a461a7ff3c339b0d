"""The assess configuration: shipped defaults load; bad files name the field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from toex.assess.config import load_assess_config
from toex.errors import ConfigError


def test_shipped_configuration_loads_with_documented_defaults() -> None:
    cfg = load_assess_config()
    assert cfg.rank_by == "rfgv" and cfg.harm.scheme == "cchi"
    assert cfg.window_months == 36 and cfg.recent_months == 12
    assert [b.points for b in cfg.recency] == [25, 20, 15, 10, 5]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assess.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bands_out_of_order_are_refused(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "src/toex/assess/data/priority.yaml"
    text = shipped.read_text(encoding="utf-8").replace(
        "- {at_least: 10, points: 25}", "- {at_least: 1, points: 25}", 1
    )
    with pytest.raises(ConfigError) as err:
        load_assess_config(_write(tmp_path, text))
    assert str(err.value) == (
        f"{tmp_path / 'assess.yaml'}: top level: Value error, frequency bands must be in "
        "descending order of at_least"
    )


def test_unknown_field_is_named(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "src/toex/assess/data/priority.yaml"
    text = shipped.read_text(encoding="utf-8").replace("rank_by: rfgv", "rank_by: rfgv\nrank: 1")
    with pytest.raises(ConfigError) as err:
        load_assess_config(_write(tmp_path, text))
    assert str(err.value) == f"{tmp_path / 'assess.yaml'}: rank: Extra inputs are not permitted"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_assess_config(tmp_path / "nope.yaml")


def test_updated_merges_nested_changes() -> None:
    cfg = load_assess_config().updated({"harm": {"scheme": "ons_css"}, "rank_by": "harm"})
    assert cfg.harm.scheme == "ons_css" and cfg.harm.default_days == 1
    assert cfg.rank_by == "harm"
    with pytest.raises(ConfigError, match="rank_by"):
        load_assess_config().updated({"rank_by": "nationality"})
