"""Impact evaluation against the synthetic history's planted effects of support."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from toex.assess.impact import (
    EVENTS,
    evaluate_event,
    evaluate_impact,
    load_costs,
    parse_costs,
    report_rows,
)
from toex.assess.impact_rows import csv_threat_rows
from toex.config import Settings, load_catalogue
from toex.errors import ConfigError
from toex.ops import open_store
from toex.ops.db import OpsStore
from toex.ops.tracker_import import import_path, rules_for
from toex.ops.tracker_queries import threat_rows
from toex.ops.tracker_store import Actor
from toex.synth.tracker_history import build_history

FORCES = [(f.code, f.region) for f in load_catalogue().forces]
AS_OF = dt.date(2025, 12, 31)


def as_of(synth: Path) -> dt.date:
    return dt.date.fromisoformat(json.loads((synth / "manifest.json").read_text())["as_of"])


def open_test_store(url: str, tmp_path: Path) -> OpsStore:
    return open_store(url, settings=Settings(data_dir=tmp_path))


def load_history(store: OpsStore, synth: Path) -> None:
    forces = [(f.code, f.short_name) for f in load_catalogue().forces]
    import_path(store, synth / "tracker", Actor("test"), rules_for(forces, as_of(synth)))


def _planted(synth: Path) -> dict[str, float]:
    effects = json.loads((synth / "truth" / "tracker_effects.json").read_text())
    return {k: float(v) for k, v in effects["times_faster"].items()}


def test_planted_ratios_lie_within_their_intervals(tiny_synth: Path, tmp_path: Path) -> None:
    store = open_test_store(f"sqlite:///{tmp_path / 'ops.sqlite'}", tmp_path)
    try:
        load_history(store, tiny_synth)
        rows = threat_rows(store)
    finally:
        store.dispose()
    report = evaluate_impact(rows, as_of(tiny_synth))
    planted = _planted(tiny_synth)
    assert set(planted) == set(EVENTS)
    for event, ratio in planted.items():
        result = report.result(event)
        assert result.adjusted is not None
        assert result.adjusted.covers(ratio), (event, result.adjusted, ratio)
        # censoring is present and handled: some threats have not reached the event
        assert result.censored > 0 and result.events > 0
        assert result.events + result.censored == result.threats
        assert "supported" in result.covariates
        assert any(c.startswith("scale_") for c in result.covariates)
        assert any(c.startswith("type_") for c in result.covariates)
    saved = report.savings
    assert saved is not None and saved.event == load_costs().savings_event
    assert saved.days_low <= saved.days <= saved.days_high
    per_day = load_costs().staff_per_threat * load_costs().staff_day_cost_gbp
    assert saved.money_gbp == pytest.approx(saved.days * per_day)
    assert [r["event"] for r in report_rows(report)] == list(EVENTS)


def test_store_rows_equal_csv_rows(tiny_synth: Path, tmp_path: Path) -> None:
    import csv

    store = open_test_store(f"sqlite:///{tmp_path / 'ops.sqlite'}", tmp_path)
    try:
        load_history(store, tiny_synth)
        from_store = threat_rows(store)
    finally:
        store.dispose()
    files = {
        k: list(csv.DictReader((tiny_synth / "tracker" / f"{k}.csv").open(encoding="utf-8")))
        for k in ("operations", "disruptions")
    }
    assert csv_threat_rows(files) == from_store


def test_truth_records_censored_threats(tiny_synth: Path) -> None:
    import csv

    truth = list(csv.DictReader((tiny_synth / "truth" / "tracker_threats.csv").open()))
    assert len(truth) >= 150
    censored = [t for t in truth if not t["disruption_on"]]
    assert censored, "some threats are not yet disrupted"
    for t in censored[:20]:
        start = dt.date.fromisoformat(t["identified_on"])
        assert start + dt.timedelta(days=float(t["latent_disruption_days"])) > AS_OF - dt.timedelta(
            days=1
        )


def test_adjustment_removes_the_confounding_by_scale() -> None:
    # Support is likelier for wide-scale threats, which are slower: pooled over seeds, the
    # unadjusted ratio understates the effect and the adjusted one does not.
    adjusted, crude = [], []
    for seed in range(4):
        rows = csv_threat_rows(build_history(seed, AS_OF, FORCES).rows)
        r = evaluate_event(rows, "scored", AS_OF)
        assert r.adjusted is not None and r.unadjusted is not None
        adjusted.append(np.log(r.adjusted.estimate))
        crude.append(np.log(r.unadjusted.estimate))
    planted = np.log(1.80)
    assert abs(np.mean(adjusted) - planted) < abs(np.mean(crude) - planted)


def test_cost_model_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="staff_day_cost_gbp"):
        parse_costs({"staff_day_cost_gbp": -1, "staff_per_threat": 1}, "x.yaml")
    with pytest.raises(ConfigError, match="savings_event"):
        parse_costs(
            {"staff_day_cost_gbp": 1, "staff_per_threat": 1, "savings_event": "lunch"}, "x.yaml"
        )
    bad = tmp_path / "c.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_costs(bad)
    assert load_costs().caveats


@pytest.mark.slow
def test_interval_coverage_over_50_histories() -> None:
    """Seeds 0..49, every one counted (docs/benchmarks.md gives the figures)."""
    planted = {"scored": 1.80, "top10": 1.68, "disruption": 1.28}
    covered = dict.fromkeys(planted, 0)
    for seed in range(50):
        rows = csv_threat_rows(build_history(seed, AS_OF, FORCES).rows)
        for event, ratio in planted.items():
            r = evaluate_event(rows, event, AS_OF, unadjusted=False)
            assert r.adjusted is not None
            covered[event] += r.adjusted.covers(ratio)
    for event, n in covered.items():
        assert n / 50 >= 0.90, (event, n)
