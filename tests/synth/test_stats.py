"""Realised variation rates and realism statistics against the configured ones."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from toex.errors import InputError
from toex.synth.rates import load_rates
from toex.synth.stats import compute_stats


@pytest.fixture(scope="module")
def stats(tiny_synth: Path) -> dict[str, Any]:
    """The tiny set's statistics."""
    return compute_stats(tiny_synth)


def _tolerance(p: float, n: int) -> float:
    """Four and a half binomial standard errors, plus a little for the smallest counts."""
    return 4.5 * math.sqrt(max(p * (1 - p), 1e-6) / n) + 0.005


def test_every_configured_variation_is_measured(stats: dict[str, Any]) -> None:
    rates = load_rates()
    measured = stats["variation_rates"]
    assert set(rates.variations) <= set(measured)
    assert {f"placeholder_{k}" for k in ("forename", "surname", "dob", "phone")} <= set(measured)


def test_realised_rates_match_the_configured_ones(stats: dict[str, Any]) -> None:
    for name, r in stats["variation_rates"].items():
        assert r["eligible"] >= 60, f"{name}: only {r['eligible']} eligible mentions"
        assert abs(r["realised"] - r["configured"]) <= _tolerance(r["configured"], r["eligible"]), (
            name,
            r,
        )


def test_most_common_surname_share_within_band(stats: dict[str, Any]) -> None:
    low, high = stats["bands"]["most_common_surname_share"]
    n = stats["persons_mentioned"]
    slack = 3 * math.sqrt(low / n)  # tiny has ~1,500 people: allow sampling error
    assert low - slack <= stats["most_common_surname_share"] <= high + slack


def test_share_of_people_in_two_or_more_forces_within_band(stats: dict[str, Any]) -> None:
    low, high = stats["bands"]["persons_in_2plus_forces_share"]
    assert low <= stats["persons_in_2plus_forces_share"] <= high


def test_counts_add_up(stats: dict[str, Any], manifest: dict[str, Any]) -> None:
    assert sum(stats["mentions_per_force"].values()) == stats["mentions"]
    assert sum(stats["mentions_per_kind"].values()) == stats["mentions"]
    rows = {f: v["rows"] for f, v in stats["files_per_force"].items()}
    assert sum(rows.values()) == sum(e["rows"] for e in manifest["files"])
    assert stats["mentions_per_person_max"] > 10 * stats["mentions_per_person_mean"] / 4
    assert stats["people_sharing_name_and_dob"] >= load_rates().scale("tiny").name_dob_pairs
    assert len(stats["scenarios"]) >= 8


def test_stats_of_a_directory_that_is_not_a_data_set(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        compute_stats(tmp_path)
    assert str(err.value) == (
        f"{tmp_path / 'manifest.json'} not found: is this a toex synth output directory?"
    )
