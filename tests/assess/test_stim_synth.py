"""STIM on the tiny synthetic set against its ground truth, and the report recomputed from
the raw partner files by plain Python.

The STIM stage runs inside ``toex run`` (``toex.pipeline.STAGES``, after assess), so these
tests read the pipeline's own snapshot (``tiny_warehouse``, built once per session),
read-only.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from toex.assess.stim.evaluate import case_pairwise, network_forces, trafficking_in_high_cases
from toex.assess.stim.names import faker_reference
from toex.assess.stim.service import case_snapshot, report_for
from toex.ops import open_store
from toex.ops.db import OpsStore
from toex.ops.referrals import (
    Actor,
    raise_referral,
    record_outcome,
    refer,
    triage,
)

STIM_TABLES = {
    "stim_entity",
    "stim_entity_indicator",
    "stim_case",
    "stim_case_member",
    "stim_case_link",
    "stim_case_crossmatch",
    "stim_text_signal",
}


def _snapshot(data_dir: Path) -> Path:
    warehouse = data_dir / "warehouse"
    current = warehouse / "CURRENT"
    if current.exists():
        named = warehouse / current.read_text().strip()
        if named.exists():
            return named
        if (warehouse / (named.name + ".duckdb")).exists():
            return warehouse / (named.name + ".duckdb")
    return sorted(warehouse.glob("*.duckdb"))[-1]


@pytest.fixture(scope="module")
def stim_con(tiny_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pipeline's snapshot of the tiny set, read-only: STIM tables as ``toex run`` left
    them."""
    con = duckdb.connect(str(_snapshot(tiny_warehouse)), read_only=True)
    yield con
    con.close()


def test_stim_stage_runs_in_the_pipeline(stim_con: duckdb.DuckDBPyConnection) -> None:
    from toex.pipeline import STAGES

    names = [getattr(stage, "__name__", str(stage)) for stage in STAGES]
    assert names.index("run_stim_stage") > names.index("run_assess_stage"), names
    tables = {
        r[0]
        for r in stim_con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert tables >= STIM_TABLES
    assert stim_con.execute("SELECT count(*) FROM stim_entity").fetchone()[0] > 0


def test_case_grouping_against_truth(stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT account_id, case_id FROM stim_entity").df()
    score = case_pairwise(ent, truth)
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def test_derived_indicators_agree_with_truth(
    stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path
) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet").set_index("account_id")
    ent = stim_con.execute("SELECT * FROM stim_entity").df().set_index("account_id")
    pairs = {
        "multi_region": "multi_region",
        "multiple_phones": "multiple_phones",
        "multiple_payers": "multiple_payers",
        "male_name_email": "male_name_email",
        "male_payer": "male_payer",
        "linked_accounts": "linked_payer_phone",
    }
    for ours, theirs in pairs.items():
        agree = (ent[ours] == truth[theirs].reindex(ent.index)).mean()
        assert agree >= 0.95, (ours, agree)


def test_planted_network_cases_are_high_risk(
    stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path
) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT * FROM stim_entity").df()
    case = stim_con.execute("SELECT * FROM stim_case").df()
    planted = truth[truth["scenario_id"].notna()]
    assert not trafficking_in_high_cases(ent, case, planted)


def test_every_trafficking_account_falls_in_a_high_risk_case(
    stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path
) -> None:
    truth = pd.read_parquet(tiny_synth / "truth" / "asw_accounts.parquet")
    ent = stim_con.execute("SELECT * FROM stim_entity").df()
    case = stim_con.execute("SELECT * FROM stim_case").df()
    assert truth["trafficking"].any()
    assert trafficking_in_high_cases(ent, case, truth) == []


def planted_network_forces(con: duckdb.DuckDBPyConnection, synth: Path) -> set[str]:
    """Forces in which the planted network's accounts are cross-matched to its members:
    the members' resolved person IDs are found through the truth's mentions (file, row,
    slot) and the snapshot's staged mentions, never through the STIM tables."""
    truth = pd.read_parquet(synth / "truth" / "asw_accounts.parquet")
    members = pd.read_parquet(synth / "truth" / "scenario_members.parquet")
    mentions = pd.read_parquet(synth / "truth" / "mentions.parquet")
    network = truth[truth["scenario_id"].fillna("").str.startswith("NETWORK")]
    scenario = network["scenario_id"].iloc[0]
    true_people = set(members.loc[members["scenario_id"] == scenario, "person_id"])
    staged = con.execute("""
        SELECT m.source_file, m.source_row, m.slot, r.person_id
        FROM staged_person_mention m JOIN resolved_mention_person r USING (mention_id)""").df()
    staged["file"] = staged["source_file"].map(lambda f: Path(str(f)).name)
    mentions["file"] = mentions["source_file"].map(lambda f: Path(str(f)).name)
    mentions = mentions[mentions["person_id"].isin(true_people)]
    link = mentions.merge(staged, on=["file", "source_row", "slot"], suffixes=("_true", ""))
    resolved_members = set(link["person_id"])
    cross = con.execute("SELECT * FROM stim_case_crossmatch").df()
    member = con.execute("SELECT * FROM stim_case_member").df()
    return network_forces(cross, member, network["account_id"].tolist(), resolved_members)


def test_network_accounts_cross_match_members_in_four_forces(
    stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path
) -> None:
    forces = planted_network_forces(stim_con, tiny_synth)
    assert len(forces) >= 4, forces


# --- Every report figure recomputed from the raw partner files by plain Python -------------

_DIGITS = {
    "zero": "0",
    "nought": "0",
    "nil": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_DIGIT_RE = re.compile("|".join(sorted(_DIGITS, key=len, reverse=True)))
ANALYST = Actor("ana", "analyst", "toex-regional")
OUTCOME_PLAN = ("full_adoption", "intel_submission", "finalised", "force_linked_job")


def _truthy(v: str | None) -> bool:
    return str(v or "").strip().lower() in {"yes", "true", "1", "y"}


def _uk_phone(raw: str | None) -> str | None:
    """E.164 of a UK number as the partner writes it (digits spelled as words undone)."""
    if not raw:
        return None
    text = _DIGIT_RE.sub(lambda m: _DIGITS[m.group(0)], raw.lower())
    digits = "".join(c for c in text if c.isdigit())
    if text.strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    return "+44" + digits[1:] if len(digits) == 11 and digits.startswith("0") else None


def _male_name_in_email(
    email: str,
    male: frozenset[str],
    female: frozenset[str],
    surnames: frozenset[str],
    ambiguous: frozenset[str] = frozenset(),
) -> bool:
    """The documented rule (docs/methods.md), written out plainly: a woman's forename
    anywhere vetoes; forename first (whole, or run into a surname or one initial); or a
    known surname that is no forename first, then a male forename."""
    parts = [p for p in re.split(r"[^a-z]+", email.lower().split("@", 1)[0]) if p]
    if not parts or any(p in female for p in parts):
        return False
    first = parts[0]
    if first in male:
        return True
    for end in range(len(first), 2, -1):
        head, rest = first[:end], first[end:]
        initial = len(rest) == 1 and end > 3
        if (head in male or head in female) and (rest == "" or rest in surnames or initial):
            return head in male
    if first in surnames and first not in ambiguous:
        return len(parts) > 1 and parts[1] in male
    for start in range(len(first) - 3):
        tail = first[start:]
        if tail in male or tail in female:
            return tail in male and first[:start] in surnames
    return False


def _raw(part: Path) -> dict[str, Any]:
    """The partner files read with csv/json only: per-account sets the figures rest on."""
    with (part / "accounts.jsonl").open(encoding="utf-8") as fh:
        accounts = {r["account_id"]: r for r in map(json.loads, fh)}
    adverts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (part / "adverts.jsonl").open(encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            adverts[r["account_id"]].append(r)
    payments: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (part / "payments.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if None in row:  # a malformed row (extra field): quarantined at ingest
                continue
            payments[row["account_id"]].append(row)
    calls: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (part / "staff_calls.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            calls[row["account_id"]].append(row)
    return {"accounts": accounts, "adverts": adverts, "payments": payments, "calls": calls}


def _raw_indicators(raw: dict[str, Any], max_accounts: int) -> dict[str, set[str]]:
    """Accounts showing each of the 13 indicators, from the raw files."""
    accounts, adverts, payments, calls = (
        raw["accounts"],
        raw["adverts"],
        raw["payments"],
        raw["calls"],
    )
    present: dict[str, set[str]] = defaultdict(set)
    flags = {
        "language_barrier": "language_barrier",
        "vague_misleading": "vague_or_misleading",
        "avoided_call": "avoided_call",
        "male_in_background": "male_in_background",
        "customer_flag_trafficking": "customer_flag_trafficking",
        "customer_flag_underage": "customer_flag_underage",
        "other_concern": "other_concern",
    }
    for account, rows in calls.items():
        for code, col in flags.items():
            if any(_truthy(r[col]) for r in rows):
                present[code].add(account)
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    ref = faker_reference()
    for account, acc in accounts.items():
        ads = adverts.get(account, [])
        pays = payments.get(account, [])
        regions = {a["region"] for a in ads if a["region"]}
        if ads and len(regions | ({acc["home_region"]} if acc["home_region"] else set())) > 1:
            present["multi_region"].add(account)
        ad_phones = {p for p in (_uk_phone(a["contact_phone"]) for a in ads) if p}
        if len(ad_phones) >= 2:
            present["multiple_phones"].add(account)
        payer_ids = {
            r["payer_token"] or (r["payer_email"] or "").lower() or r["payer_name"].lower()
            for r in pays
        }
        if len(payer_ids - {""}) >= 2:
            present["multiple_payers"].add(account)
        if any(r["payer_title"] == "Mr" for r in pays):
            present["male_payer"].add(account)
        email = acc["registered_email"] or ""
        if "@" in email and _male_name_in_email(
            email, ref.male, ref.female, ref.surnames, ref.ambiguous
        ):
            present["male_name_email"].add(account)
        phones = ad_phones | {_uk_phone(acc["phone"])} | {_uk_phone(r["payer_phone"]) for r in pays}
        for p in phones - {None}:
            keys[("phone", str(p))].add(account)
        for r in pays:
            if r["payer_token"]:
                keys[("payer", r["payer_token"])].add(account)
            if r["payer_email"]:
                keys[("payer_email", r["payer_email"].lower())].add(account)
    for holders in keys.values():
        if 2 <= len(holders) <= max_accounts:
            present["linked_accounts"] |= holders
    return present


def _pct(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def _top(counter: Counter[str], total: int) -> list[tuple[str, int, float]]:
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return [(k, v, _pct(v, total)) for k, v in ordered]


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[OpsStore]:
    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield store
    store.dispose()


def test_every_report_figure_recomputed_from_raw_files(
    stim_con: duckdb.DuckDBPyConnection, tiny_synth: Path, ops: OpsStore
) -> None:
    """Plain Python over the partner's JSONL/CSV files and the referrals raised here gives
    every figure of the report: each indicator's count and %, % with at least one low /
    medium / high indicator, outcomes by cases and adverts, top nationalities and regions
    of referrals."""
    check_report_figures(stim_con, tiny_synth, ops)


def check_report_figures(stim_con: duckdb.DuckDBPyConnection, synth: Path, ops: OpsStore) -> None:
    """Raise referrals of the snapshot's assessed cases, walk them to outcomes, and check
    every report figure against plain Python over the raw partner files of ``synth``."""
    config = yaml.safe_load(
        (
            Path(__file__).parents[2] / "src" / "toex" / "assess" / "data" / "stim_indicators.yaml"
        ).read_text(encoding="utf-8")
    )
    levels = {i["code"]: i["level"] for i in config["indicators"]}
    raw = _raw(synth / "partner" / "asw")
    present = _raw_indicators(raw, config["linking"]["max_accounts_per_key"])
    assessed = set(raw["calls"])

    # Referrals of the cases holding assessed accounts, walked to different outcomes.
    member = stim_con.execute(
        "SELECT case_id, account_id FROM stim_case_member ORDER BY case_id, account_id"
    ).df()
    cases = sorted(set(member.loc[member["account_id"].isin(assessed), "case_id"]))
    assert len(cases) >= 3
    referred: list[tuple[str, str | None, list[str]]] = []
    for i, case_id in enumerate(cases):
        ref = raise_referral(ops, ANALYST, case_snapshot(stim_con, case_id), "test")
        outcome = OUTCOME_PLAN[i % len(OUTCOME_PLAN)] if i < len(cases) - 1 else None
        if outcome:
            triage(ops, ANALYST, ref.id, "high")
            refer(ops, ANALYST, ref.id, "force", "essex")
            record_outcome(ops, ANALYST, ref.id, outcome)
        accounts = member.loc[member["case_id"] == case_id, "account_id"].tolist()
        referred.append((case_id, outcome, accounts))

    report = report_for(stim_con, ops, None, None)

    n = len(assessed)
    assert report.entities == n
    lines = {ln.code: ln for ln in report.indicators}
    assert set(lines) == set(levels)
    for code in levels:
        expected = len(present[code] & assessed)
        assert (lines[code].count, lines[code].pct) == (expected, _pct(expected, n)), code
    for level in ("low", "medium", "high"):
        codes = [c for c, lv in levels.items() if lv == level]
        hit = {a for a in assessed if any(a in present[c] for c in codes)}
        got = report.at_least[level]
        assert (got.count, got.pct) == (len(hit), _pct(len(hit), n)), level

    n_adverts = {a: len(ads) for a, ads in raw["adverts"].items()}
    by_cases: Counter[str] = Counter()
    by_adverts: Counter[str] = Counter()
    nats: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for _case, outcome, accounts in referred:
        if outcome:
            by_cases[outcome] += 1
            by_adverts[outcome] += sum(n_adverts.get(a, 0) for a in accounts)
        nats.update({raw["accounts"][a]["stated_nationality"] for a in accounts} - {None, ""})
        regions.update({raw["accounts"][a]["home_region"] for a in accounts} - {None, ""})
    assert {o.code: (o.cases, o.adverts) for o in report.outcomes if o.cases} == {
        k: (by_cases[k], by_adverts[k]) for k in by_cases
    }
    assert report.referrals == len(referred)
    got_nats = [(c.label, c.count, c.pct) for c in report.referral_nationalities]
    got_regions = [(c.label, c.count, c.pct) for c in report.referral_regions]
    assert got_nats == _top(nats, len(referred))
    assert got_regions == _top(regions, len(referred))
