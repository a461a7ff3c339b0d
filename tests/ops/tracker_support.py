"""Helpers of the tracker tests: a store holding the tiny synthetic history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from toex.config import Settings, load_catalogue
from toex.ops import open_store
from toex.ops.db import OpsStore
from toex.ops.tracker_import import ImportReport, import_path, rules_for
from toex.ops.tracker_rows import RowRules
from toex.ops.tracker_store import Actor

ACTOR = Actor("sam.supervisor", "eastern_rocu", "test", "test")


def as_of(synth: Path) -> dt.date:
    """The synthetic data set's as-of date."""
    return dt.date.fromisoformat(json.loads((synth / "manifest.json").read_text())["as_of"])


def rules(today: dt.date) -> RowRules:
    """Row rules for the shipped catalogue's forces."""
    return rules_for([(f.code, f.short_name) for f in load_catalogue().forces], today)


def open_test_store(url: str, tmp_path: Path) -> OpsStore:
    """A migrated store with its audit keys under ``tmp_path``."""
    return open_store(url, settings=Settings(data_dir=tmp_path))


def load_history(store: OpsStore, synth: Path) -> list[ImportReport]:
    """Import the synthetic tracker history of ``synth`` into ``store``."""
    return import_path(store, synth / "tracker", ACTOR, rules(as_of(synth)))
