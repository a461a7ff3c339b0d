"""A second partner website ("site 2"), built to test STIM on a layout it was not made for.

Its export differs from the first site's (:mod:`toex.synth.partner_files`) in layout,
wording and identifier styles:

- ``listings.csv``: one row per listing, carrying the account's fields (reference, email,
  phone, display name, joined date) on every row, so an account with n listings appears
  n times (its copies sometimes disagree: a display name edited between exports);
- ``payments.jsonl``: one JSON object per payment with a nested ``billing`` object
  (``billing.name`` written "MR F POPESCU" with the title inside, ``billing.email``,
  ``billing.phone``, ``billing.card``) and the amount in pence;
- ``staff_notes.csv``: staff calls with a drop-down ``concern`` column ("Suspected under
  18", "Possible trafficking", "Third party control"...) instead of one flag per column.

Cases (accounts run by one controller) link in one of four modes: ``payer`` (the
controller's card pays), ``text`` (only the wording template is shared), ``phone`` (one
number, often written only in the advert text, in a dozen styles) and ``mixed`` (mailbox
variants of one Gmail address, a shared number and the template). Independent accounts add
hubs that must link nothing (an agency number on 45 accounts, the 07000 000000 placeholder
on 30) and stock phrases many of them share. Truth (:func:`generate_site2`'s ``truth``)
holds each account's case, mode and the indicators as the data shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from faker.providers.person import en_GB, ro_RO

from toex.synth.site2_text import TOWNS

MODES = ("payer", "text", "phone", "mixed")
CONCERNS = {
    "customer_flag_underage": "Suspected under 18",
    "customer_flag_trafficking": "Possible trafficking",
    "male_in_background": "Third party control",
    "language_barrier": "Language barrier",
    "avoided_call": "Avoided call",
    "vague_misleading": "Vague/misleading answers",
    "other_concern": "Other",
}
PLACEHOLDER = 7000000000
AGENCY = 7441000441


def _names(provider: type, attr: str) -> list[str]:
    return sorted(set(getattr(provider, attr)))


FEMALE = _names(ro_RO.Provider, "first_names_female") + _names(en_GB.Provider, "first_names_female")
MALE = _names(ro_RO.Provider, "first_names_male") + _names(en_GB.Provider, "first_names_male")
SURNAMES = _names(ro_RO.Provider, "last_names") + _names(en_GB.Provider, "last_names")
#: Surnames that are also men's forenames: women with these must not read as male.
MALE_FORENAME_SURNAMES = ("Thomas", "James", "Henry", "George", "Paul", "Daniel", "Matei")


@dataclass
class Person:
    """A named person (holder, controller or payer)."""

    forename: str
    surname: str
    male: bool
    #: Tells apart two people of the same name (their cards differ).
    serial: int = 0


@dataclass
class Site2Account:
    """One account as planned."""

    account_id: str
    holder: Person
    case: str | None = None
    mode: str | None = None
    controller: Person | None = None
    template: int = 0
    phones: list[int] = field(default_factory=list)
    phone_in_text_only: bool = False
    towns: list[str] = field(default_factory=list)
    email: str = ""
    email_male: bool = False
    payers: list[Person] = field(default_factory=list)
    card_of: dict[int, str] = field(default_factory=dict)
    concerns: list[str] = field(default_factory=list)
    hub: str | None = None


def person(rng: np.random.Generator, male: bool, surname: str | None = None) -> Person:
    """A random person of the given sex."""
    pool = MALE if male else FEMALE
    return Person(
        pool[int(rng.integers(0, len(pool)))],
        surname or SURNAMES[int(rng.integers(0, len(SURNAMES)))],
        male,
        int(rng.integers(0, 2**40)),
    )


def mobile(rng: np.random.Generator) -> int:
    """A random UK mobile national number (never the placeholder or the agency)."""
    return int(7_100_000_000 + rng.integers(0, 800_000_000))


def _ascii(s: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalpha()) or "x"


def male_email(rng: np.random.Generator, man: Person) -> str:
    """An address in a man's name, in one of several shapes (both name orders, initials)."""
    f, s = _ascii(man.forename), _ascii(man.surname)
    n = int(rng.integers(1, 99))
    shapes = (f"{f}.{s}", f"{s}.{f}{n}", f"{f}{s[0]}{n}", f"{s}_{f}", f"{f}{n}", f"{f}_{s}{n}")
    return shapes[int(rng.integers(0, len(shapes)))] + "@" + _domain(rng)


def female_email(rng: np.random.Generator, woman: Person) -> str:
    """A woman's address: her name (forename first or her initial and surname) or a
    nickname; never a man's forename unless it is her surname."""
    f, s = _ascii(woman.forename), _ascii(woman.surname)
    n = int(rng.integers(1, 999))
    shapes = (f"{f}.{s}", f"{f[0]}.{s}{n}", f"{f[0]}{s}", f"{f}{n}", f"sweet{f}{n}", f"{f}_{s}")
    return shapes[int(rng.integers(0, len(shapes)))] + "@" + _domain(rng)


def _domain(rng: np.random.Generator) -> str:
    domains = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.co.uk")
    return domains[int(rng.integers(0, len(domains)))]


def gmail_variant(rng: np.random.Generator, base: str) -> str:
    """The same Gmail mailbox written another way: dots, a +tag, googlemail.com, case."""
    local = base.split("@", 1)[0]
    k = int(rng.integers(1, len(local))) if len(local) > 1 else 1
    dotted = local[:k] + "." + local[k:] if "." not in local else local
    tag = f"+ad{int(rng.integers(1, 99))}" if rng.random() < 0.6 else ""
    domain = "googlemail.com" if rng.random() < 0.4 else "gmail.com"
    text = f"{dotted}{tag}@{domain}"
    return text.upper() if rng.random() < 0.15 else text


def plan_site2(rng: np.random.Generator, n_accounts: int) -> list[Site2Account]:
    """Every account of site 2: cases in the four modes, independents, hubs."""
    towns = [t for ts in TOWNS.values() for t in ts]
    accounts: list[Site2Account] = []
    n_case_accounts = int(n_accounts * 0.3)
    case_no = 0
    while len(accounts) < n_case_accounts:
        case_no += 1
        mode = MODES[case_no % len(MODES)]
        size = int(rng.integers(2, 7))
        controller = person(rng, True)
        shared_phone = mobile(rng)
        template = int(rng.integers(0, 2**31))
        base = f"{_ascii(controller.forename)}{_ascii(controller.surname)}@gmail.com"
        trafficking = bool(rng.random() < 0.4)
        for j in range(size):
            acc = Site2Account(f"S2-{len(accounts) + 1:05d}", person(rng, False))
            acc.case, acc.mode, acc.controller = f"C2-{case_no:04d}", mode, controller
            # Only text and mixed cases share the controller's wording: a payer or phone
            # case is found by its payer or phone alone.
            acc.template = template if mode in ("text", "mixed") else int(rng.integers(0, 2**31))
            own = mobile(rng)
            acc.phones = [shared_phone] if mode in ("phone", "mixed") else [own]
            acc.phone_in_text_only = mode == "phone" and rng.random() < 0.7
            if mode in ("phone", "mixed") and rng.random() < 0.3:
                acc.phones.append(own)
            acc.payers = [controller] if mode in ("payer",) or (mode == "mixed" and j % 2) else []
            if mode == "mixed":
                acc.email, acc.email_male = gmail_variant(rng, base), True
            elif rng.random() < 0.4:
                acc.email, acc.email_male = male_email(rng, controller), True
            if trafficking and j == 0:
                acc.concerns.append(
                    ("customer_flag_trafficking", "male_in_background", "customer_flag_underage")[
                        int(rng.integers(0, 3))
                    ]
                )
            accounts.append(acc)
    while len(accounts) < n_accounts:
        surname = (
            MALE_FORENAME_SURNAMES[int(rng.integers(0, len(MALE_FORENAME_SURNAMES)))]
            if rng.random() < 0.15
            else None
        )
        acc = Site2Account(f"S2-{len(accounts) + 1:05d}", person(rng, False, surname))
        acc.template = int(rng.integers(0, 2**31))
        acc.phones = [mobile(rng)]
        accounts.append(acc)
    independents = [a for a in accounts if a.case is None]
    for acc, hub in zip(independents[:45], ["agency"] * 45, strict=False):
        acc.hub = hub
        acc.phones.append(AGENCY)
    for acc in independents[45:75]:
        acc.hub = "placeholder"
    used: set[str] = set()
    for acc in accounts:
        _fill(rng, acc, towns)
        # One address, one person: a second "dpaul@..." gets a number.
        if acc.mode != "mixed":
            while acc.email.lower() in used:
                local, domain = acc.email.split("@", 1)
                acc.email = f"{local}{int(rng.integers(0, 10))}@{domain}"
        used.add(acc.email.lower())
    return accounts


def _fill(rng: np.random.Generator, acc: Site2Account, towns: list[str]) -> None:
    """Email, towns, payers and concerns of an account."""
    if not acc.email:
        if acc.case is None and rng.random() < 0.08:
            man = person(rng, True)
            acc.email, acc.email_male = male_email(rng, man), True
            acc.payers = [man]
        else:
            acc.email = female_email(rng, acc.holder)
    home = towns[int(rng.integers(0, len(towns)))]
    acc.towns = [home]
    if rng.random() < 0.25:
        acc.towns.append(towns[int(rng.integers(0, len(towns)))])
    if not acc.payers:
        acc.payers = [acc.holder]
    if rng.random() < 0.1:
        acc.payers.append(person(rng, bool(rng.random() < 0.5)))
    for code in CONCERNS:
        if rng.random() < 0.04:
            acc.concerns.append(code)
    if acc.case is not None and rng.random() < 0.5:
        acc.concerns.append("vague_misleading")
