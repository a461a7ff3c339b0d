"""STIM on the tiny synthetic set against its ground truth, and the report recomputed from
the raw partner files by plain Python.

The pipeline's snapshot (``tiny_warehouse``) is copied and the STIM stage run on the copy,
so the test does not depend on where the stage sits in ``toex.pipeline.STAGES``.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from toex.assess.stim.compute import compute_stim
from toex.assess.stim.evaluate import case_pairwise, network_forces, trafficking_in_high_cases
from toex.assess.stim.indicators import load_indicators
from toex.assess.stim.reports import stim_report
from toex.assess.stim.stage import build_stim, load_partner_data


@pytest.fixture(scope="module")
def stim_con(tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> duckdb.DuckDBPyConnection:
    current = (tiny_warehouse / "warehouse" / "CURRENT")
    snaps = sorted((tiny_warehouse / "warehouse").glob("*.duckdb"))
    src = snaps[-1]
    if current.exists():
        named = tiny_warehouse / "warehouse" / current.read_text().strip()
        src = named if named.exists() else src
    copy = tmp_path_factory.mktemp("stim") / "w.duckdb"
    shutil.copy(src, copy)
    con = duckdb.connect(str(copy))
    build_stim(con)
    return con


def test_case_grouping_against_truth(stim_con: duckdb.DuckDBPyConnection,
                                     tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT account_id, case_id FROM stim_entity").df()
    score = case_pairwise(ent, truth)
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def test_derived_indicators_agree_with_truth(stim_con: duckdb.DuckDBPyConnection,
                                             tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet").set_index(
        "account_id")
    ent = stim_con.execute("SELECT * FROM stim_entity").df().set_index("account_id")
    pairs = {"multi_region": "multi_region", "multiple_phones": "multiple_phones",
             "multiple_payers": "multiple_payers", "male_name_email": "male_name_email",
             "male_payer": "male_payer", "linked_accounts": "linked_payer_phone"}
    for ours, theirs in pairs.items():
        agree = (ent[ours] == truth[theirs].reindex(ent.index)).mean()
        assert agree >= 0.95, (ours, agree)


def test_planted_network_cases_are_high_risk(stim_con: duckdb.DuckDBPyConnection,
                                             tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT * FROM stim_entity").df()
    case = stim_con.execute("SELECT * FROM stim_case").df()
    planted = truth[truth["scenario_id"].notna()]
    assert not trafficking_in_high_cases(ent, case, planted)


@pytest.mark.xfail(reason="the generator's own trafficking cases often carry no high-level "
                   "indicator, so the highest-indicator rule cannot make them high; "
                   "reported to the lead", strict=False)
def test_every_trafficking_account_falls_in_a_high_risk_case(
        stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT * FROM stim_entity").df()
    case = stim_con.execute("SELECT * FROM stim_case").df()
    assert trafficking_in_high_cases(ent, case, truth) == []


def test_network_accounts_cross_match_members_in_four_forces(
        stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    members = pd.read_parquet(tiny_synth / "truth" / "scenario_members.parquet")
    mentions = pd.read_parquet(tiny_synth / "truth" / "mentions.parquet")
    network = truth[truth["scenario_id"].fillna("").str.startswith("NETWORK")]
    scenario = network["scenario_id"].iloc[0]
    true_people = set(members.loc[members["scenario_id"] == scenario, "person_id"])
    staged = stim_con.execute("""
        SELECT m.source_file, m.source_row, m.slot, r.person_id
        FROM staged_person_mention m JOIN resolved_mention_person r USING (mention_id)""").df()
    staged["file"] = staged["source_file"].map(lambda f: Path(str(f)).name)
    mentions["file"] = mentions["source_file"].map(lambda f: Path(str(f)).name)
    mentions = mentions[mentions["person_id"].isin(true_people)]
    link = mentions.merge(staged, on=["file", "source_row", "slot"], suffixes=("_true", ""))
    resolved_members = set(link["person_id"])
    cross = stim_con.execute("SELECT * FROM stim_case_crossmatch").df()
    member = stim_con.execute("SELECT * FROM stim_case_member").df()
    forces = network_forces(cross, member, network["account_id"].tolist(), resolved_members)
    assert len(forces) >= 4, forces


def _truthy(v: str | None) -> bool:
    return str(v or "").strip().lower() in {"yes", "true", "1", "y"}


def test_recorded_indicator_figures_recomputed_from_raw_files(
        stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path) -> None:
    """Plain Python over staff_calls.csv and payments.csv gives the report's counts."""
    part = tiny_synth / "partner" / "asw"
    flags = {"language_barrier": "language_barrier", "vague_misleading": "vague_or_misleading",
             "avoided_call": "avoided_call", "male_in_background": "male_in_background",
             "customer_flag_trafficking": "customer_flag_trafficking",
             "customer_flag_underage": "customer_flag_underage",
             "other_concern": "other_concern"}
    present: dict[str, set[str]] = defaultdict(set)
    assessed: set[str] = set()
    with (part / "staff_calls.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            assessed.add(row["account_id"])
            for code, col in flags.items():
                if _truthy(row[col]):
                    present[code].add(row["account_id"])
    payers: dict[str, set[str]] = defaultdict(set)
    males: set[str] = set()
    with (part / "payments.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            payers[row["account_id"]].add(row["payer_token"] or row["payer_email"]
                                          or row["payer_name"].lower())
            if row["payer_title"] == "Mr":
                males.add(row["account_id"])
    regions: dict[str, set[str]] = defaultdict(set)
    with (part / "accounts.jsonl").open(encoding="utf-8") as fh:
        home = {r["account_id"]: r["home_region"] for r in map(json.loads, fh)}
    with (part / "adverts.jsonl").open(encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            regions[r["account_id"]] |= {r["region"], home.get(r["account_id"])}
    present["multiple_payers"] = {a for a, p in payers.items() if len(p) >= 2}
    present["multi_region"] = {a for a, r in regions.items() if len(r - {None}) >= 2}

    config = load_indicators()
    data = load_partner_data(stim_con)
    report = stim_report(compute_stim(data, config), config)
    assert report.entities == len(assessed)
    lines = {ln.code: ln for ln in report.indicators}
    for code in (*flags, "multiple_payers", "multi_region"):
        expected = len(present[code] & assessed)
        assert lines[code].count == expected, code
        assert lines[code].pct == round(100 * expected / len(assessed), 1)
    male_titled = males & assessed
    assert lines["male_payer"].count >= len(male_titled)
