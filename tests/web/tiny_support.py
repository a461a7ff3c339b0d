"""Facts about the tiny synthetic set the web tests need: the resolved person of each
planted scenario's principal and the forenames his records carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd


@dataclass(frozen=True)
class Planted:
    """A planted person as the warehouse resolved him."""

    scenario_id: str
    person_id: str
    forces: tuple[str, ...]
    surname: str
    forenames: dict[str, int]  # forename -> how many of his records carry it
    nicknames: tuple[str, ...]  # forenames written as a nickname on some records


def planted_persons(synth_dir: Path, snapshot: Path) -> dict[str, Planted]:
    """Every scenario principal, resolved, keyed by scenario id."""
    scenarios = json.loads((synth_dir / "truth" / "scenarios.json").read_text())["scenarios"]
    truth = pd.read_parquet(synth_dir / "truth" / "mentions.parquet")
    con = duckdb.connect(str(snapshot), read_only=True)
    staged = con.execute(
        "SELECT s.force, s.source_file, s.source_row, s.slot, s.forename, s.surname, "
        "r.person_id FROM staged_person_mention s JOIN resolved_mention_person r "
        "USING (mention_id)"
    ).df()
    con.close()
    out = {}
    for s in scenarios:
        pid = s.get("principal_person_id")
        if not pid:
            continue
        rows = truth[truth.person_id == pid].merge(
            staged, on=["force", "source_file", "source_row", "slot"], suffixes=("_t", "")
        )
        if rows.empty:
            continue
        resolved = rows.person_id.value_counts().index[0]
        mine = rows[rows.person_id == resolved]
        nick = mine[mine.variations.apply(lambda v: "nickname" in list(v))]
        out[s["scenario_id"]] = Planted(
            s["scenario_id"],
            str(resolved),
            tuple(sorted(mine.force.unique())),
            str(mine.surname.mode()[0]),
            {str(k): int(v) for k, v in mine.forename.value_counts().items()},
            tuple(sorted(str(f) for f in nick.forename.dropna().unique())),
        )
    return out
