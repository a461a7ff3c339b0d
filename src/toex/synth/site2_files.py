"""Write site 2's export (``listings.csv``, ``payments.jsonl``, ``staff_notes.csv``) and its
truth (``truth/site2_accounts.parquet``); see :mod:`toex.synth.site2` for the layout.

:func:`generate_site2` is deterministic in its seed and independent of the main
generator's world: ``toex synth`` does not call it; tests and the STIM benchmark do, at the
sizes they need.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toex.synth.site2 import (
    CONCERNS,
    Person,
    Site2Account,
    plan_site2,
)
from toex.synth.site2_text import (
    AREAS,
    N_PHONE_STYLES,
    TOWNS,
    WORKING,
    draw_template,
    render,
    spell_phone,
)

LISTING_COLUMNS = (
    "listing_id", "account_ref", "acct_name", "acct_email", "acct_phone", "acct_joined",
    "listed_on", "city", "headline", "body", "contact",
)  # fmt: skip
NOTE_COLUMNS = ("note_id", "account_ref", "called_on", "agent", "concern", "note")
REGION_OF_TOWN = {t: region for region, towns in TOWNS.items() for t in towns}


@dataclass(frozen=True)
class Site2Files:
    """Where site 2's files and truth were written, and the truth itself."""

    listings: Path
    payments: Path
    notes: Path
    truth: pd.DataFrame


def _card(p: Person, seed: int) -> str:
    raw = f"{p.forename}|{p.surname}|{p.serial}|{seed}".encode()
    return "card_" + hashlib.sha256(raw).hexdigest()[:14]


def billing_name(rng: np.random.Generator, p: Person) -> tuple[str, bool]:
    """The cardholder name as the payment processor writes it, and whether it shows the
    payer's sex (a title, or a full forename)."""
    title = "MR" if p.male else ("MRS", "MISS", "MS")[int(rng.integers(0, 3))]
    u = rng.random()
    if u < 0.45:
        return f"{title} {p.forename[0]} {p.surname}".upper(), True
    if u < 0.7:
        return f"{title.capitalize()} {p.forename} {p.surname}", True
    if u < 0.95:
        return f"{p.forename} {p.surname}".upper(), True
    return f"{p.forename[0]} {p.surname}".upper(), False


def _listings(
    rng: np.random.Generator, acc: Site2Account, day0: int
) -> tuple[list[dict[str, Any]], set[int], set[str]]:
    """The listing rows of one account, the phones they show and the regions."""
    trng = np.random.default_rng(acc.template)
    template = draw_template(trng, int(trng.integers(8, 10)))
    stock = acc.case is None and rng.random() < 0.6
    name = (
        WORKING[int(rng.integers(0, len(WORKING)))] if rng.random() < 0.4 else acc.holder.forename
    )
    n = max(len(acc.phones), len(acc.towns), 1 + int(rng.poisson(2.0)))
    joined = day0 + int(rng.integers(0, 300))
    # The registration number is the holder's own (a case's shared number is on adverts).
    own = (
        acc.phones[0]
        if acc.mode not in ("phone", "mixed")
        else 7_100_000_000 + int(rng.integers(0, 800_000_000))
    )
    reg_phone = "07000 000000" if acc.hub == "placeholder" else spell_phone(own, 1)
    rows, shown, regions = [], set(), set()
    for k in range(n):
        town = acc.towns[k % len(acc.towns)]
        nsn = acc.phones[k % len(acc.phones)]
        written = spell_phone(nsn, int(rng.integers(0, N_PHONE_STYLES)))
        slots = {
            "name": name,
            "age": str(int(rng.integers(19, 36))),
            "town": town,
            "area": AREAS[int(rng.integers(0, len(AREAS)))],
            "p1": str(int(rng.integers(6, 16)) * 10),
            "p2": str(int(rng.integers(16, 30)) * 10),
            "phone": written,
        }
        head, body = render(rng, template, slots, stock)
        contact = "" if acc.phone_in_text_only else spell_phone(nsn, int(rng.integers(0, 8)))
        shown.add(nsn)
        regions.add(REGION_OF_TOWN[town])
        display = name if rng.random() > 0.05 else name.lower() + "x"  # an edited copy
        rows.append(
            {
                "listing_id": f"L{int(rng.integers(0, 10**9)):09d}",
                "account_ref": acc.account_id,
                "acct_name": display,
                "acct_email": acc.email,
                "acct_phone": reg_phone,
                "acct_joined": str(np.datetime64("2024-01-01") + np.timedelta64(joined, "D")),
                "listed_on": str(np.datetime64("2024-01-01") + np.timedelta64(joined + 3 * k, "D")),
                "city": town,
                "headline": head,
                "body": body,
                "contact": contact,
            }
        )
    return rows, shown, regions


def generate_site2(out: Path, seed: int = 1, n_accounts: int = 600) -> Site2Files:
    """Write site 2's three files and truth under ``out`` for ``n_accounts`` accounts."""
    rng = np.random.default_rng([seed, 2])
    accounts = plan_site2(rng, n_accounts)
    out.mkdir(parents=True, exist_ok=True)
    listings: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    for acc in accounts:
        rows, shown, regions = _listings(rng, acc, int(rng.integers(0, 200)))
        listings.extend(rows)
        male_shown = False
        for payer in acc.payers:
            for _ in range(1 + int(rng.integers(0, 3))):
                name, tells = billing_name(rng, payer)
                male_shown |= payer.male and tells
                billing: dict[str, Any] = {"name": name, "card": _card(payer, seed)}
                if rng.random() < 0.3:
                    billing["phone"] = spell_phone(
                        acc.phones[0] if payer is acc.holder else 7_900_000_000 + len(payments),
                        int(rng.integers(0, 8)),
                    )
                payments.append(
                    {
                        "txn": f"T{len(payments) + 1:07d}",
                        "account": acc.account_id,
                        "ts": f"2024-{1 + len(payments) % 12:02d}-{1 + len(payments) % 27:02d}"
                        "T10:00:00Z",
                        "amount_pence": int(rng.integers(5, 40)) * 100,
                        "billing": billing,
                    }
                )
        concerns = sorted(set(acc.concerns))
        if concerns or rng.random() < 0.2:
            for concern in concerns or [""]:
                notes.append(
                    {
                        "note_id": f"N{len(notes) + 1:06d}",
                        "account_ref": acc.account_id,
                        "called_on": f"2024-06-{1 + len(notes) % 28:02d}",
                        "agent": f"agent{int(rng.integers(1, 9))}",
                        "concern": CONCERNS.get(concern, ""),
                        "note": "called her, " + ("concern noted" if concern else "all ok"),
                    }
                )
        truth.append(
            {
                "account_id": acc.account_id,
                "case_id": acc.case,
                "mode": acc.mode,
                "hub": acc.hub,
                "multi_region": len(regions) > 1,
                "multiple_phones": len(shown) > 1,
                "multiple_payers": len({(p.forename, p.surname) for p in acc.payers}) > 1,
                "male_name_email": acc.email_male,
                "male_payer": male_shown,
                **{code: code in concerns for code in CONCERNS},
            }
        )
    order = np.argsort([r["listing_id"] for r in listings], kind="stable")
    files = Site2Files(
        out / "listings.csv", out / "payments.jsonl", out / "staff_notes.csv", pd.DataFrame(truth)
    )
    with files.listings.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, LISTING_COLUMNS)
        writer.writeheader()
        writer.writerows(listings[int(i)] for i in order)
    with files.payments.open("w", encoding="utf-8") as fh:
        for row in payments:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with files.notes.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, NOTE_COLUMNS)
        writer.writeheader()
        writer.writerows(notes)
    (out / "truth").mkdir(exist_ok=True)
    files.truth.to_parquet(out / "truth" / "site2_accounts.parquet", index=False)
    return files
