"""Settings read the environment, refuse unsafe production defaults, and are documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from toex.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOEX_DATA_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("TOEX_MATCH_THRESHOLD", "0.9")
    s = Settings()
    assert s.data_dir == Path("/tmp/elsewhere")
    assert s.match_threshold == 0.9
    assert s.ops_url == "sqlite:////tmp/elsewhere/ops.sqlite"


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOEX_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="TOEX_SECRET_KEY must be set in production"):
        Settings()
    monkeypatch.setenv("TOEX_SECRET_KEY", "a-real-secret-from-the-vault")
    assert Settings().environment == "production"


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for name, field in Settings.model_fields.items():
        assert f"`TOEX_{name.upper()}`" in doc, name
        assert field.description, name
