"""Fixtures for the generator's tests.

Fixture strategy: unit tests build the smallest values inline; data-set tests share the
session's tiny synthetic set (``tiny_synth`` from the root conftest, seed 1) and read it with
the independent readers in ``files.py``; truth tables are loaded once per session here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from .files import records


@pytest.fixture(scope="session")
def manifest(tiny_synth: Path) -> dict[str, Any]:
    """The tiny set's manifest."""
    data: dict[str, Any] = json.loads((tiny_synth / "manifest.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def truth(tiny_synth: Path) -> dict[str, Any]:
    """The tiny set's truth tables as pandas frames (and scenarios as parsed JSON)."""
    t = tiny_synth / "truth"
    return {
        "persons": pd.read_parquet(t / "persons.parquet").set_index("person_id"),
        "mentions": pd.read_parquet(t / "mentions.parquet"),
        "events": pd.read_parquet(t / "events.parquet"),
        "objects": pd.read_parquet(t / "objects.parquet"),
        "asw": pd.read_parquet(t / "asw_accounts.parquet"),
        "members": pd.read_parquet(t / "scenario_members.parquet"),
        "quarantine": pd.read_csv(t / "expected_quarantine.csv", keep_default_na=False),
        "scenarios": json.loads((t / "scenarios.json").read_text("utf-8"))["scenarios"],
    }


@pytest.fixture(scope="session")
def file_records(tiny_synth: Path, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every file's rows as canonical field -> value, keyed by the file's path."""
    return {e["path"]: records(tiny_synth, e) for e in manifest["files"]}
