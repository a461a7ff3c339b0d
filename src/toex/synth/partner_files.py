"""Write the partner website's files and their truth.

``partner/asw/accounts.jsonl``, ``adverts.jsonl``, ``payments.csv`` and ``staff_calls.csv``
per formats.yaml; truth gets a mention per account holder and per payer, an event per row,
and ``truth/asw_accounts.parquet`` with each account's case, controller and the 13 indicator
flags as the data shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from toex.synth import contact
from toex.synth.dates import NO_DATE, format_day
from toex.synth.formats import file_format
from toex.synth.partner import (
    INDICATORS,
    STAFF_FLAGS,
    Account,
    advert,
    advert_count,
    display_name,
    payer_token,
    plan_accounts,
    registered_email,
)
from toex.synth.rows import FileState, TruthSinks, person_ids
from toex.synth.scenarios import ScenarioPlan
from toex.synth.texts import call_notes
from toex.synth.truth import days_array, list_array, write_table
from toex.synth.world import World
from toex.synth.writers import open_sink

PARTNER_DIR = "partner/asw"
ASW_VARIATIONS = ("working_name", "initial_only")
TITLES_F = ("Ms", "Miss", "Mrs")


def _state(out: Path, kind: str) -> FileState:
    fmt = file_format("asw", kind)
    rel = f"{PARTNER_DIR}/{fmt.name}"
    return FileState(fmt, rel, "asw", open_sink(out / rel, fmt))


def _row(fmt_columns: dict[str, str], values: dict[str, Any]) -> list[Any]:
    return [values.get(k) for k in fmt_columns]


def write_partner(
    world: World, plan: ScenarioPlan, out: Path, sinks: TruthSinks, malformed_per_file: int
) -> list[FileState]:
    """Write the four partner files; returns their states (for the manifest)."""
    rng = world.rng("asw", "write")
    accounts = plan_accounts(world, plan.cases)
    states = {k: _state(out, k) for k in ("account", "advert", "payment", "call")}
    cfg = world.rates.section("asw")
    pop, names = world.pop, world.names
    date_fmt = states["account"].fmt.date_format
    rows: dict[str, list[list[Any]]] = {k: [] for k in states}
    ment: dict[str, list[tuple[int, int, bool, str, str]]] = {"account": [], "payment": []}
    events: dict[str, list[tuple[str, int, str]]] = {k: [] for k in states}
    truth_rows: list[dict[str, Any]] = []
    phones_of: dict[int, set[str]] = {}
    tokens_of: dict[int, set[str]] = {}
    for a_i, acc in enumerate(accounts):
        account_id = f"A{a_i + 1:06d}"
        name, working = display_name(world, rng, acc)
        nat = list(world.rates.section("nationalities"))[int(pop.nat[acc.holder])]
        rows["account"].append(
            _row(
                states["account"].fmt.columns,
                {
                    "reference": account_id,
                    "created_date": format_day(acc.created, date_fmt),
                    "display_name": name,
                    "email": (email := registered_email(world, rng, acc, name)),
                    "phone": contact.spell_uk(acc.phones[0], "{0}{1}{2}"),
                    "nationality": nat if rng.random() < 0.7 else None,
                    "region": acc.regions[0],
                },
            )
        )
        ment["account"].append(
            (len(rows["account"]), acc.holder, working, acc.scenario, account_id)
        )
        events["account"].append((account_id, acc.created, acc.scenario))
        region_set, phone_set = set(), set()
        for k in range(advert_count(rng, acc, cfg["adverts_per_account"])):
            region, title, body, phone = advert(world, rng, acc, k, name)
            posted = min(acc.created + int(rng.integers(0, 400)), world.as_of_days)
            advert_id = f"AD{len(rows['advert']) + 1:07d}"
            rows["advert"].append(
                _row(
                    states["advert"].fmt.columns,
                    {
                        "reference": advert_id,
                        "account_ref": account_id,
                        "posted_date": format_day(posted, date_fmt),
                        "region": region,
                        "title": title,
                        "text": body,
                        "phone": phone,
                        "email": email if rng.random() < 0.2 else None,
                    },
                )
            )
            events["advert"].append((advert_id, posted, acc.scenario))
            region_set.add(region)
            phone_set.add(contact.e164(44, acc.phones[k % len(acc.phones)]))
        payers = list(acc.payers)
        count = max(len(payers), int(rng.poisson(cfg["payments_per_account"])))
        tokens, male_paid = set(), False
        for k in range(count):
            payer = payers[k % len(payers)]
            fore = str(names.forenames[pop.fore[payer]])
            sur = str(names.surnames[pop.sur[payer]])
            initial = bool(rng.random() < cfg["payer_initial_only"])
            written = f"{fore[0]} {sur}" if initial else f"{fore} {sur}"
            male = bool(pop.male[payer])
            male_paid |= male
            token = payer_token(payer, world.seed)
            tokens.add(token)
            paid = min(acc.created + int(rng.integers(0, 400)), world.as_of_days)
            payment_id = f"PAY{len(rows['payment']) + 1:07d}"
            payer_email = (
                contact.email_address(
                    fore,
                    sur,
                    int(pop.email_pat[payer]) % 6,
                    int(pop.email_num[payer]),
                    int(pop.email_dom[payer]),
                )
                if pop.email_pat[payer] >= 0
                else None
            )
            payer_phone = (
                contact.spell_uk(int(pop.phone1[payer]), "{0}{1} {2}")
                if pop.phone1[payer] and pop.phone_cc[payer] == 44
                else None
            )
            rows["payment"].append(
                _row(
                    states["payment"].fmt.columns,
                    {
                        "reference": payment_id,
                        "account_ref": account_id,
                        "paid_date": format_day(paid, date_fmt),
                        "amount": f"{float(rng.integers(10, 61)):.2f}",
                        "payer_name": written.upper() if rng.random() < 0.5 else written,
                        "payer_ref": token,
                        "payer_email": payer_email,
                        "payer_phone": payer_phone,
                        "payer_gender": "Mr" if male else TITLES_F[int(rng.integers(0, 3))],
                    },
                )
            )
            ment["payment"].append((len(rows["payment"]), payer, initial, acc.scenario, payment_id))
            events["payment"].append((payment_id, paid, acc.scenario))
        flags = {k: False for k in STAFF_FLAGS}
        if acc.flagged:
            flags = {k: acc.intended[k] for k in STAFF_FLAGS}
            day = min(acc.created + int(rng.integers(5, 200)), world.as_of_days)
            call_id = f"CALL{len(rows['call']) + 1:06d}"
            call_fmt = states["call"].fmt
            rows["call"].append(
                _row(
                    call_fmt.columns,
                    {
                        "reference": call_id,
                        "account_ref": account_id,
                        "call_date": format_day(day, date_fmt),
                        "staff_id": f"STAFF{int(rng.integers(1, 13)):02d}",
                        "notes": call_notes(flags, float(rng.random())),
                        **{k: call_fmt.boolean(v) for k, v in flags.items()},
                    },
                )
            )
            events["call"].append((call_id, day, acc.scenario))
        phones_of[a_i], tokens_of[a_i] = phone_set, tokens
        truth_rows.append(
            {
                "account_id": account_id,
                "holder": acc.holder,
                "acc": acc,
                "multi_region": len(region_set) > 1,
                "multiple_phones": len(phone_set) > 1,
                "multiple_payers": len(tokens) > 1,
                "male_payer": male_paid,
                "staff": flags,
            }
        )
    clean = [j for j, m in enumerate(ment["payment"]) if not m[3]]
    bad_pay = set(
        rng.choice(clean, size=min(malformed_per_file, len(clean)), replace=False).tolist()
    )
    _linked(truth_rows, phones_of, tokens_of)
    _write_rows(states, rows, bad_pay, sinks)
    _truth(world, states, ment, events, sinks, truth_rows, bad_pay, out)
    for s in states.values():
        s.sink.close()
    return list(states.values())


def _linked(
    truth_rows: list[dict[str, Any]], phones_of: dict[int, set[str]], tokens_of: dict[int, set[str]]
) -> None:
    """Mark accounts sharing a phone or payer token with another account."""
    seen: dict[str, set[int]] = {}
    for i in phones_of:
        for key in [f"p:{p}" for p in phones_of[i]] + [f"t:{t}" for t in tokens_of[i]]:
            seen.setdefault(key, set()).add(i)
    for i, row in enumerate(truth_rows):
        keys = [f"p:{p}" for p in phones_of[i]] + [f"t:{t}" for t in tokens_of[i]]
        row["linked_payer_phone"] = any(len(seen[k]) > 1 for k in keys)


def _write_rows(
    states: dict[str, FileState],
    rows: dict[str, list[list[Any]]],
    bad_pay: set[int],
    sinks: TruthSinks,
) -> None:
    pay = states["payment"]
    for j, row in enumerate(rows["payment"]):
        if j in bad_pay:
            row.append("")
            sinks.quarantine.append((pay.path, j + 1, "", "", "field_count"))
    for kind, state in states.items():
        state.sink.write(rows[kind])
        state.events = len(rows[kind])


def _truth(
    world: World,
    states: dict[str, FileState],
    ment: dict[str, list[tuple[int, int, bool, str, str]]],
    events: dict[str, list[tuple[str, int, str]]],
    sinks: TruthSinks,
    truth_rows: list[dict[str, Any]],
    bad_pay: set[int],
    out: Path,
) -> None:
    slots = {"account": ("holder", "account_holder", 0), "payment": ("payer", "payer", 1)}
    for kind, (slot, role, var) in slots.items():
        rows = ment[kind]
        persons = np.array([r[1] for r in rows], dtype=np.int64)
        matrix = np.zeros((len(rows), len(ASW_VARIATIONS)), dtype=bool)
        matrix[:, var] = [r[2] for r in rows]
        sinks.mentions.write(
            {
                "source_file": [states[kind].path] * len(rows),
                "source_row": np.array([r[0] for r in rows], dtype=np.int64),
                "reference": [r[4] for r in rows],
                "slot": [slot] * len(rows),
                "force": ["asw"] * len(rows),
                "system": ["asw"] * len(rows),
                "role": [role] * len(rows),
                "person_id": person_ids(persons),
                "variations": list_array(matrix, ASW_VARIATIONS),
                "placeholder_fields": list_array(
                    np.zeros((len(rows), 4), dtype=bool), ("forename", "surname", "dob", "phone")
                ),
                "scenario_id": [r[3] or None for r in rows],
            }
        )
        world.count_mentions(persons, -1)
    types = {
        "account": "partner_account",
        "advert": "advert",
        "payment": "payment",
        "call": "partner_call",
    }
    for kind, rows_e in events.items():
        n = len(rows_e)
        sinks.events.write(
            {
                "source_file": [states[kind].path] * n,
                "source_row": np.arange(1, n + 1, dtype=np.int64),
                "reference": [r[0] for r in rows_e],
                "event_type": [types[kind]] * n,
                "force": ["asw"] * n,
                "system": ["asw"] * n,
                "occurred_from": days_array(np.array([r[1] for r in rows_e]), NO_DATE),
                "occurred_to": [None] * n,
                "reported_date": [None] * n,
                "offence_code": [None] * n,
                "vawg": [None] * n,
                "lpc": [None] * n,
                "oic": [None] * n,
                "risk_level": [None] * n,
                "scenario_id": [r[2] or None for r in rows_e],
                "malformed": [
                    "field_count" if kind == "payment" and i in bad_pay else None for i in range(n)
                ],
                "text_person_ids": [[] for _ in range(n)],
            }
        )
    accs: list[Account] = [r["acc"] for r in truth_rows]
    table: dict[str, Any] = {
        "account_id": [r["account_id"] for r in truth_rows],
        "case_id": [a.case.case_id if a.case else None for a in accs],
        "controller_person_id": [f"P{a.case.controller + 1:07d}" if a.case else None for a in accs],
        "holder_person_id": [f"P{a.holder + 1:07d}" for a in accs],
        "trafficking": [bool(a.case.trafficking) if a.case else False for a in accs],
        "flagged": [a.flagged for a in accs],
        "scenario_id": [a.scenario or None for a in accs],
    }
    for k in INDICATORS:
        if k in (
            "multi_region",
            "multiple_phones",
            "multiple_payers",
            "male_payer",
            "linked_payer_phone",
        ):
            table[k] = [bool(r[k]) for r in truth_rows]
        elif k == "male_name_email":
            table[k] = [a.intended[k] and a.email_shows_male for a in accs]
        else:
            table[k] = [bool(r["staff"][k]) for r in truth_rows]
    write_table(out / "truth" / "asw_accounts.parquet", table)
