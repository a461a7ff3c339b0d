"""FEBRL sanity checks through the same training/prediction machinery (about 20 s each)."""

from __future__ import annotations

import pytest

from toex.resolve.febrl import run_febrl


@pytest.mark.slow
def test_febrl4_link() -> None:
    r = run_febrl("febrl4")
    assert r["pairwise"]["f1"] >= 0.999, r


@pytest.mark.slow
def test_febrl3_dedupe() -> None:
    r = run_febrl("febrl3")
    assert r["pairwise"]["f1"] >= 0.995, r
