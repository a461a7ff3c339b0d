"""truth/mentions.parquet covers every person slot once, and the files agree with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from toex.synth.formats import SLOTS
from toex.synth.names import load_nicknames
from toex.synth.rates import load_rates

from .files import fmt_of, norm_name, norm_postcode, parse_date, phone_digits

NAME_FIELDS = ("forename", "surname", "display_name", "name")
NAME_VARIATIONS = {
    "alias",
    "changed_surname",
    "hyphenated_surname",
    "nickname",
    "middle_name",
    "swapped_names",
    "forename_typo",
    "surname_typo",
}
PLACEHOLDER_NAMES = set(load_rates().placeholders["values"]["name"])


def _slot_values(rec: dict[str, Any], prefix: str, fmt: Any, slot: str) -> dict[str, Any]:
    return {f: rec.get(prefix + f) for f in fmt.slot_fields(slot)}


def _filled_slots(
    manifest: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> set[tuple[str, int, str]]:
    out = set()
    for entry in manifest["files"]:
        fmt = fmt_of(entry)
        for slot, prefix in SLOTS.get(entry["kind"], ()):
            for i, rec in enumerate(file_records[entry["path"]], start=1):
                values = _slot_values(rec, prefix, fmt, slot)
                if any(values.get(f) not in (None, "") for f in NAME_FIELDS):
                    out.add((entry["path"], i, slot))
    return out


def test_every_person_slot_has_exactly_one_truth_mention(
    manifest: dict[str, Any], file_records: dict[str, list[dict[str, Any]]], truth: dict[str, Any]
) -> None:
    m: pd.DataFrame = truth["mentions"]
    keys = list(zip(m.source_file, m.source_row.astype(int), m.slot, strict=True))
    assert len(keys) == len(set(keys)), "a slot has two truth mentions"
    assert set(keys) == _filled_slots(manifest, file_records)
    assert m.person_id.isin(truth["persons"].index).all()
    assert len(m) == sum(
        truth["persons"].mention_count[truth["persons"].mention_count > 0][
            lambda s: s.index.isin(m.person_id)
        ]
    )


def test_mentions_total_near_the_tiny_target(truth: dict[str, Any]) -> None:
    assert 4000 <= len(truth["mentions"]) <= 6500


def _expected_date(value: dt.date, variations: set[str]) -> set[dt.date] | None:
    if "dob_transposed" in variations:
        return {value.replace(day=value.month, month=value.day)}
    if "dob_year_off" in variations:
        return {value.replace(year=value.year - 1), value.replace(year=value.year + 1)}
    if "dob_digit_typo" in variations:
        return None  # any valid date one digit away; checked separately
    return {value}


def test_police_files_agree_with_the_truth_about_each_mention(
    manifest: dict[str, Any], file_records: dict[str, list[dict[str, Any]]], truth: dict[str, Any]
) -> None:
    persons: pd.DataFrame = truth["persons"]
    nick = load_nicknames()
    entries = {e["path"]: e for e in manifest["files"]}
    placeholder_dobs = {
        dt.date.fromisoformat(x) for x in load_rates().placeholders["values"]["dob"]
    }
    checked = {"names": 0, "nickname": 0, "swapped": 0, "dob": 0, "phone": 0, "postcode": 0}
    police = truth["mentions"][~truth["mentions"].system.isin(["asw", "toex"])]
    for row in police.itertuples():
        entry = entries[row.source_file]
        fmt = fmt_of(entry)
        prefix = dict(SLOTS[entry["kind"]])[row.slot]
        rec = file_records[row.source_file][row.source_row - 1]
        got = _slot_values(rec, prefix, fmt, row.slot)
        p = persons.loc[row.person_id]
        var = set(row.variations)
        ph = set(row.placeholder_fields)
        fore, sur = norm_name(got["forename"]), norm_name(got["surname"])
        if p.is_placeholder_identity:
            assert (fore, sur) == ("UNKNOWN", "UNKNOWN")
            continue
        if "forename" in ph:
            assert fore in PLACEHOLDER_NAMES or ("swapped_names" in var)
        if not var & NAME_VARIATIONS and not ph & {"forename", "surname"}:
            assert (fore, sur) == (norm_name(p.forename), norm_name(p.surname)), row
            checked["names"] += 1
        elif var & NAME_VARIATIONS == {"nickname"} and not ph:
            assert fore in {norm_name(d) for d in nick[p.forename]}, row
            checked["nickname"] += 1
        elif var & NAME_VARIATIONS == {"swapped_names"} and not ph:
            assert (fore, sur) == (norm_name(p.surname), norm_name(p.forename)), row
            checked["swapped"] += 1
        elif var & NAME_VARIATIONS == {"middle_name"} and not ph:
            assert fore == norm_name(f"{p.forename} {p.middle_name}")
        elif var & NAME_VARIATIONS == {"alias"}:
            assert (fore, sur) == (norm_name(p.alias_forename), norm_name(p.alias_surname))
        if "dob" in got:
            written = parse_date(got["dob"], fmt)
            if "dob" in ph:
                assert written in placeholder_dobs
            elif "dob_missing" in var:
                assert written is None
            else:
                expected = _expected_date(p.dob, var)
                assert (
                    written is not None and written != p.dob
                    if expected is None
                    else written in expected
                ), row
                checked["dob"] += 1
        if "phone" in got:
            if "phone" in ph:
                assert got["phone"] == "07000000000"
            elif "phone_missing" in var or not len(p.phones):
                assert got["phone"] is None
            else:
                digits = phone_digits(got["phone"])
                assert digits in {x.lstrip("+") for x in p.phones}, (row, got["phone"])
                checked["phone"] += 1
        if got.get("postcode") is not None:
            want = p.previous_postcode if "old_address" in var else p.home_postcode
            assert norm_postcode(got["postcode"]) == norm_postcode(want), row
            checked["postcode"] += 1
        elif "postcode" in got:
            assert "postcode_missing" in var
        if "gender" in got:
            spelled = {v: k for k, v in fmt.gender.items()}[got["gender"]]
            want_g = (
                "U"
                if "gender_unknown" in var
                else ({"M": "F", "F": "M"}[p.gender] if "gender_wrong" in var else p.gender)
            )
            assert spelled == want_g, row
    assert min(checked.values()) > 20, checked


def test_variations_and_placeholders_use_known_names(truth: dict[str, Any]) -> None:
    rates = load_rates()
    known = set(rates.variations) | {"ascii_folded", "working_name", "initial_only"}
    m = truth["mentions"]
    used = {v for vs in m.variations for v in vs}
    assert used <= known
    assert {"nickname", "dob_transposed", "alias", "swapped_names"} <= used
    assert {v for vs in m.placeholder_fields for v in vs} == {"forename", "surname", "dob", "phone"}


def test_unidentified_suspects_are_each_their_own_person(truth: dict[str, Any]) -> None:
    persons = truth["persons"]
    unknown = persons[persons.is_placeholder_identity]
    assert len(unknown) > 10
    m = truth["mentions"]
    theirs = m[m.person_id.isin(unknown.index)]
    assert len(theirs) == len(unknown)
    assert (theirs.role == "suspect").all()
