"""Settings read the environment, refuse unsafe production defaults, and are documented."""

from __future__ import annotations

import re
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


def test_no_default_is_a_known_secret() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.secret_key is None and s.audit_key is None


def test_production_needs_explicitly_configured_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOEX_ENVIRONMENT", "production")
    with pytest.raises(
        ValueError, match="TOEX_SECRET_KEY or TOEX_SECRET_KEY_FILE must be set in production"
    ):
        Settings()
    monkeypatch.setenv("TOEX_SECRET_KEY", "a-real-secret-from-the-vault-0123456789")
    with pytest.raises(
        ValueError, match="TOEX_AUDIT_KEY or TOEX_AUDIT_KEY_FILE must be set in production"
    ):
        Settings()
    monkeypatch.setenv("TOEX_AUDIT_KEY_FILE", "/etc/toex/audit.key")
    assert Settings().environment == "production"


@pytest.mark.parametrize("variable", ["TOEX_SECRET_KEY", "TOEX_AUDIT_KEY"])
def test_short_keys_are_refused_everywhere(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "x" * 31)
    with pytest.raises(ValueError, match=f"{variable} is too short: use 32\\+ characters"):
        Settings()
    monkeypatch.setenv(variable, "x" * 32)
    assert Settings().environment == "development"


def test_trusted_proxies_must_be_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOEX_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    assert Settings().proxy_list() == ["10.0.0.1", "192.168.0.0/16"]
    for bad in ("proxy.local", "*"):
        monkeypatch.setenv("TOEX_TRUSTED_PROXIES", f"10.0.0.1,{bad}")
        with pytest.raises(ValueError, match=re.escape(f"TOEX_TRUSTED_PROXIES: {bad!r} is not")):
            Settings()


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for name, field in Settings.model_fields.items():
        assert f"`TOEX_{name.upper()}`" in doc, name
        assert field.description, name
