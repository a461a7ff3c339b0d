"""The indicator configuration: the 13, levels, definitions, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toex.assess.stim.indicators import INDICATOR_ORDER, RiskLevel, load_indicators
from toex.errors import ConfigError


def test_shipped_set_is_the_briefings_thirteen_with_definitions() -> None:
    config = load_indicators()
    assert [i.code for i in config.ordered()] == list(INDICATOR_ORDER)
    assert len(config.indicators) == 13
    assert all(len(i.definition) > 40 for i in config.indicators)
    assert config.level_of("customer_flag_trafficking") is RiskLevel.HIGH
    assert config.ordered()[2].label == (
        "Account linked to other accounts by payer/phone number sharing"
    )


def _shipped_yaml() -> dict[str, object]:
    from importlib import resources

    text = resources.files("toex.assess").joinpath("data/stim_indicators.yaml").read_text()
    data: dict[str, object] = yaml.safe_load(text)
    return data


def test_levels_are_configurable_from_a_file(tmp_path: Path) -> None:
    data = _shipped_yaml()
    for ind in data["indicators"]:  # type: ignore[attr-defined]
        if ind["code"] == "multi_region":
            ind["level"] = "high"
    path = tmp_path / "stim.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_indicators(path).level_of("multi_region") is RiskLevel.HIGH
    assert (
        load_indicators().with_levels({"linked_accounts": "medium"}).level_of("linked_accounts")
        is RiskLevel.MEDIUM
    )


def test_a_missing_indicator_is_refused(tmp_path: Path) -> None:
    data = _shipped_yaml()
    data["indicators"] = data["indicators"][1:]  # type: ignore[index]
    path = tmp_path / "stim.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="missing: \\['language_barrier'\\]"):
        load_indicators(path)


def test_a_nationality_text_signal_is_refused(tmp_path: Path) -> None:
    data = _shipped_yaml()
    data["text_signals"]["stated_nationality"] = {  # type: ignore[index]
        "label": "Stated nationality",
        "terms": ["romanian"],
    }
    path = tmp_path / "stim.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="may not be about nationality"):
        load_indicators(path)


def test_a_bad_level_names_the_field(tmp_path: Path) -> None:
    data = _shipped_yaml()
    data["indicators"][0]["level"] = "severe"  # type: ignore[index]
    path = tmp_path / "stim.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"indicators\.0\.level"):
        load_indicators(path)
