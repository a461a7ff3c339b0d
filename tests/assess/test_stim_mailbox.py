"""Mailbox canonicalisation: the provider rules of docs/methods.md."""

from __future__ import annotations

import pandas as pd
import pytest

from toex.assess.stim.derive import account_keys
from toex.assess.stim.indicators import LinkingConfig
from toex.assess.stim.mailbox import canonical_email
from toex.assess.stim.partner_data import PartnerData


@pytest.mark.parametrize(
    ("raw", "mailbox"),
    [
        ("Jo.Hn+ad1@GoogleMail.com", "john@gmail.com"),
        ("j.o.h.n@gmail.com", "john@gmail.com"),
        (" mailto:JOHN@gmail.com ", "john@gmail.com"),
        ("j.smith+x@hotmail.co.uk", "j.smith@hotmail.co.uk"),  # dots matter at Microsoft
        ("j.smith+x@outlook.com", "j.smith@outlook.com"),
        ("anna.b+tag@icloud.com", "anna.b@icloud.com"),
        ("a.b_c-d+x@pm.me", "abcd@proton.me"),  # Proton ignores . _ - and has one namespace
        ("anna-work@yahoo.com", "anna-work@yahoo.com"),  # Yahoo keeps hyphens and plus
        ("anna+x@yahoo.com", "anna+x@yahoo.com"),
        ("first.last+x@police.example", "first.last+x@police.example"),  # unknown: as written
        ("not an email", None),
        ("@gmail.com", None),
        (None, None),
    ],
)
def test_canonical_mailbox(raw: str | None, mailbox: str | None) -> None:
    assert canonical_email(raw) == mailbox


def test_variants_of_one_mailbox_are_one_linking_key() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "partner": "p",
            "email": [
                "andrei.pop@gmail.com",
                "AndreiPop+ad2@googlemail.com",
                "andreipop@gmail.com",
                "andrei.pop@hotmail.com",
            ],
        }
    )
    keys = account_keys(PartnerData(accounts=accounts).conformed(), LinkingConfig())
    emails = keys[keys["kind"] == "email"].set_index("account_id")["value"]
    assert emails["A1"] == emails["A2"] == emails["A3"] == "andreipop@gmail.com"
    assert emails["A4"] == "andrei.pop@hotmail.com"
