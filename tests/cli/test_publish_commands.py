"""``toex publish``: schedule, list, feedback and the refusals of ``pack`` (builds are
tested in tests/publish)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toex.cli.app import app
from toex.config import get_settings
from toex.errors import ConfigError, InputError


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    calendar = tmp_path / "fttcg.yaml"
    calendar.write_text("cambs: {dates: [2026-01-09, 2026-02-06]}\nnorfolk: {dates: []}\n")
    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOEX_FTTCG_CALENDAR", str(calendar))
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_schedule_lists_coming_meetings_with_their_status(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["publish", "schedule", "--today", "2026-01-02", "--force", "cambs", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["meeting"], r["due_on"], r["status"]) for r in rows] == [
        ("2026-01-09", "2026-01-02", "due now"),
        ("2026-02-06", "2026-01-30", "due on 2026-01-30"),
    ]
    everyone = json.loads(
        CliRunner().invoke(app, ["publish", "schedule", "--today", "2026-01-02", "--json"]).output
    )
    assert {"force": "norfolk", "status": "no FTTCG calendar"}.items() <= next(
        r for r in everyone if r["force"] == "norfolk"
    ).items()


def test_pack_refuses_a_past_meeting_and_a_force_without_a_calendar(env: Path) -> None:
    past = CliRunner().invoke(
        app,
        ["publish", "pack", "--force", "cambs", "--meeting", "2026-01-09", "--today", "2026-01-10"],
    )
    assert isinstance(past.exception, InputError)
    assert past.exception.exit_code == 3
    assert str(past.exception).startswith("the FTTCG meeting of 2026-01-09 is in the past")
    none = CliRunner().invoke(app, ["publish", "pack", "--force", "norfolk"])
    assert isinstance(none.exception, ConfigError)
    assert not (env / "packs").exists()


def test_list_and_feedback_on_an_empty_store(env: Path) -> None:
    listed = CliRunner().invoke(app, ["publish", "list", "--json"])
    assert (listed.exit_code, json.loads(listed.output)) == (0, [])
    fb = CliRunner().invoke(app, ["publish", "feedback", "--json"])
    assert json.loads(fb.output) == [
        {
            "force": "all",
            "packs": 0,
            "responses": 0,
            "mean_usefulness": None,
            "suspects_adopted": 0,
            "suspects_answered": 0,
            "latest_action": "",
        }
    ]
    due = CliRunner().invoke(app, ["publish", "due", "--today", "2026-03-01"])
    assert (due.exit_code, due.output) == (0, "No FTTCG meeting is due a pack.\n")
