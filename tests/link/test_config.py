"""Link configuration: defaults, overrides and the errors a bad file gets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toex.errors import ConfigError
from toex.link.config import EDGE_TYPES, LinkConfig


def test_defaults_cover_every_edge_type() -> None:
    cfg = LinkConfig()
    assert set(cfg.base_weights) == set(EDGE_TYPES)
    assert cfg.context_edge_types == ("shared_address",)


def test_yaml_overrides_merge_into_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "link.yaml"
    path.write_text(
        "base_weights: {shared_address: 0.5}\nhub_thresholds: {address: 25}\n"
        "reference_date: 2024-06-30\ncontext_edge_types: [shared_address, shared_vehicle]\n"
        "event_object_roles: {advert: [account_holder, payer]}\n",
        encoding="utf-8",
    )
    cfg = LinkConfig.from_yaml(path)
    assert cfg.base_weights["shared_address"] == 0.5
    assert cfg.base_weights["co_offending"] == 3.0
    assert cfg.hub_thresholds == {**LinkConfig().hub_thresholds, "address": 25}
    assert cfg.reference_date == dt.date(2024, 6, 30)
    assert cfg.context_edge_types == ("shared_address", "shared_vehicle")
    assert cfg.event_object_roles["advert"] == ("account_holder", "payer")
    assert cfg.event_object_roles["payment"] == ("payer",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "link config: unknown field(s) colour"),
        ({"base_weights": {"telepathy": 1.0}}, "link config: unknown edge type(s) telepathy"),
        ({"half_life_days": 0}, "link config: half_life_days must be positive"),
        ({"hub_thresholds": {"phone": 1}}, "link config: every hub threshold must be at least 2"),
    ],
)
def test_bad_overrides_are_refused_with_a_clear_message(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        LinkConfig.from_mapping(data)
    assert str(err.value) == message


def test_unreadable_or_malformed_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"link config .*missing\.yaml: No such file"):
        LinkConfig.from_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping of field overrides"):
        LinkConfig.from_yaml(bad)
