"""docs/synthetic-data.md documents every configured rate and every truth column."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from toex.synth.rates import load_rates

DOC = Path(__file__).resolve().parents[2] / "docs" / "synthetic-data.md"


def test_every_variation_is_documented_with_its_rate() -> None:
    text = DOC.read_text("utf-8")
    for name, rate in load_rates().variations.items():
        assert f"| {name} | {rate:g} |" in text, f"{name} ({rate:g}) missing from {DOC.name}"
    for field, rate in load_rates().placeholders.items():
        if field != "values":
            assert f"{field} {rate:g}" in text, f"placeholder {field} ({rate:g}) undocumented"


def test_every_truth_column_is_documented(tiny_synth: Path) -> None:
    text = DOC.read_text("utf-8")
    for table in ("persons", "mentions", "events", "objects", "asw_accounts", "scenario_members"):
        for column in pq.read_schema(tiny_synth / "truth" / f"{table}.parquet").names:
            assert f"`{column}`" in text or f"| {column}" in text or f", {column}" in text, (
                f"truth/{table}.parquet column {column} is not documented"
            )
