"""The small (demo) scale: realism bands, rates and the partner website's STIM indicator rates.

One slow test on the session's small set (``small_synth``, generated once for every slow tier).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from toex.synth import load_rates
from toex.synth.stats import compute_stats


@pytest.mark.slow
def test_small_scale_is_realistic(small_synth: Path) -> None:
    out = small_synth
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    stats = compute_stats(out)
    rates = load_rates()
    assert 180_000 <= stats["mentions"] <= 230_000
    for name in ("most_common_surname_share", "persons_in_2plus_forces_share"):
        low, high = rates.section("bands")[name]
        assert low <= stats[name] <= high, (name, stats[name])
    for name, r in stats["variation_rates"].items():
        tol = 4.5 * math.sqrt(r["configured"] * (1 - r["configured"]) / r["eligible"]) + 0.002
        assert abs(r["realised"] - r["configured"]) <= tol, (name, r)
    serial = [s for s in stats["scenarios"] if s["type"] == "serial_vawg_offender"]
    assert len(serial) == 9  # one per force
    # STIM indicators of the flagged (background) accounts are near the briefing's rates
    asw = pd.read_parquet(out / "truth" / "asw_accounts.parquet")
    flagged = asw[asw.flagged & asw.scenario_id.isna()]
    assert len(flagged) >= 120
    for name, target in rates.section("asw")["indicators"].items():
        realised = flagged[name].mean()
        tol = 4.5 * math.sqrt(max(target * (1 - target), 0.01) / len(flagged)) + 0.02
        assert abs(realised - target) <= tol, (name, realised, target)
    assert {e["force"] for e in manifest["files"]} >= {"cambs", "gmp", "asw", "toex"}
