"""Which variations a person mention carries: eligibility, decisions and value edits.

Variations are decided in a fixed order (the order of ``variations`` in rates.yaml). Each has
an eligibility rule over the person's true attributes, the fields the file carries for the
mention's slot, the placeholders already put on the mention and the variations decided before
it (an alias replaces the whole name, so a mention shown under its alias is not eligible for a
nickname). A variation is applied to an eligible mention with its configured probability, and
always changes what is written.

The same rules serve the generator (:func:`decide`) and the statistics (:func:`eligibility`
re-derives who was eligible from truth, so realised rates can be compared with the configured
ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toex.synth.dates import is_valid

#: Placeholder fields, in the order they are decided (before any variation).
PLACEHOLDER_FIELDS = ("forename", "surname", "dob", "phone")

#: Variations in decision order.
VARIATIONS = (
    "alias",
    "changed_surname",
    "hyphenated_surname",
    "nickname",
    "middle_name",
    "swapped_names",
    "forename_typo",
    "surname_typo",
    "case_noise",
    "whitespace_noise",
    "dob_missing",
    "dob_transposed",
    "dob_digit_typo",
    "dob_year_off",
    "phone_missing",
    "postcode_missing",
    "old_address",
    "gender_unknown",
    "gender_wrong",
    "duplicate_nominal",
)


@dataclass
class MentionFacts:
    """What eligibility depends on, one array entry per mention of one slot of one file."""

    fields: frozenset[str]  # canonical person fields the slot carries
    identified: np.ndarray  # False for unidentified ("UNKNOWN") suspects
    has_diminutive: np.ndarray
    has_middle: np.ndarray
    has_sur2: np.ndarray
    has_prev_sur: np.ndarray
    has_alias: np.ndarray
    has_phone: np.ndarray
    has_prev_addr: np.ndarray
    dob_day: np.ndarray
    dob_month: np.ndarray

    @property
    def n(self) -> int:
        """Number of mentions."""
        return len(self.identified)


def placeholder_eligibility(facts: MentionFacts) -> dict[str, np.ndarray]:
    """Mentions on which each placeholder field could be put."""
    ok = facts.identified
    return {f: ok & (f in facts.fields) for f in PLACEHOLDER_FIELDS}


def _rule(
    name: str, f: MentionFacts, ph: dict[str, np.ndarray], done: dict[str, np.ndarray]
) -> np.ndarray:
    """Eligibility of variation ``name`` given placeholders ``ph`` and earlier ``done``."""
    ok = f.identified.copy()
    no_fore = ~ph["forename"]
    no_sur = ~ph["surname"]
    has_dob = ("dob" in f.fields) & ~ph["dob"]
    if name == "alias":
        return ok & f.has_alias & no_fore & no_sur
    if name == "changed_surname":
        return ok & f.has_prev_sur & no_sur & ~done["alias"]
    if name == "hyphenated_surname":
        return ok & f.has_sur2 & no_sur & ~done["alias"] & ~done["changed_surname"]
    if name == "nickname":
        return ok & f.has_diminutive & no_fore & ~done["alias"]
    if name == "middle_name":
        return ok & f.has_middle & no_fore & ~done["alias"]
    if name == "swapped_names":
        return ok & no_fore & no_sur
    if name == "forename_typo":
        return ok & no_fore
    if name == "surname_typo":
        return ok & no_sur
    if name in ("case_noise", "whitespace_noise"):
        return ok & (no_fore | no_sur)
    if name == "dob_missing":
        return ok & has_dob
    if name == "dob_transposed":
        return ok & has_dob & ~done["dob_missing"] & (f.dob_day <= 12) & (f.dob_day != f.dob_month)
    if name == "dob_digit_typo":
        return ok & has_dob & ~done["dob_missing"] & ~done["dob_transposed"]
    if name == "dob_year_off":
        feb29 = (f.dob_day == 29) & (f.dob_month == 2)
        return (
            ok
            & has_dob
            & ~done["dob_missing"]
            & ~done["dob_transposed"]
            & ~done["dob_digit_typo"]
            & ~feb29
        )
    if name == "phone_missing":
        return ok & ("phone" in f.fields) & f.has_phone & ~ph["phone"]
    if name == "postcode_missing":
        return ok & ("postcode" in f.fields)
    if name == "old_address":
        return ok & bool({"address", "postcode"} & f.fields) & f.has_prev_addr
    if name == "gender_unknown":
        return ok & ("gender" in f.fields)
    if name == "gender_wrong":
        return ok & ("gender" in f.fields) & ~done["gender_unknown"]
    if name == "duplicate_nominal":
        return ok & ("person_ref" in f.fields)
    raise KeyError(f"unknown variation {name!r}")


def decide(
    facts: MentionFacts,
    rates: dict[str, float],
    placeholder_rates: dict[str, float],
    rng: np.random.Generator,
    forced: dict[str, np.ndarray] | None = None,
    quiet: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Placeholders and variations applied to each mention.

    ``forced`` switches a variation on for some mentions (scenarios) where eligible;
    ``quiet`` marks mentions that get no random placeholder or variation (only forced ones).
    Returns (placeholders, variations), each a mapping of name -> bool array.
    """
    n = facts.n
    calm = np.zeros(n, dtype=bool) if quiet is None else quiet
    forced = forced or {}
    ph_ok = placeholder_eligibility(facts)
    ph = {}
    for name in PLACEHOLDER_FIELDS:
        draw = rng.random(n) < placeholder_rates[name]
        ph[name] = ph_ok[name] & ((draw & ~calm) | forced.get("ph_" + name, False))
    done: dict[str, np.ndarray] = {}
    for name in VARIATIONS:
        ok = _rule(name, facts, ph, done)
        draw = rng.random(n) < rates[name]
        done[name] = ok & ((draw & ~calm) | forced.get(name, False))
    return ph, done


def eligibility(
    facts: MentionFacts, ph: dict[str, np.ndarray], done: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Which mentions were eligible for each variation, given what was applied."""
    return {name: _rule(name, facts, ph, done) for name in VARIATIONS}


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(text: str, u1: float, u2: float, u3: float) -> str:
    """``text`` with one character edited (substitution, deletion, insertion, transposition)."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if not letters:
        return text + _LETTERS[int(u3 * 26)]
    pos = letters[min(int(u2 * len(letters)), len(letters) - 1)]
    op = int(u1 * 4)
    if op == 1 and len(letters) >= 4:
        return text[:pos] + text[pos + 1 :]
    if op == 2:
        return text[:pos] + _LETTERS[int(u3 * 26)] + text[pos:]
    if (
        op == 3
        and pos + 1 < len(text)
        and text[pos + 1].isalpha()
        and text[pos + 1].lower() != text[pos].lower()
    ):
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    current = text[pos].lower()
    new = (
        _LETTERS[(_LETTERS.index(current) + 1 + int(u3 * 25)) % 26] if current in _LETTERS else "x"
    )
    return text[:pos] + new + text[pos + 1 :]


def dob_digit_typo(year: int, month: int, day: int, u: float) -> tuple[int, int, int]:
    """A different valid date one written digit away (day, month or the year's last two)."""
    candidates = []
    for d in range(1, 32):
        if d != day and (d // 10 == day // 10 or d % 10 == day % 10) and is_valid(year, month, d):
            candidates.append((year, month, d))
    for m in range(1, 13):
        if (
            m != month
            and (m // 10 == month // 10 or m % 10 == month % 10)
            and is_valid(year, m, day)
        ):
            candidates.append((year, m, day))
    for k in range(10):
        for y in (year - year % 10 + k, year - year % 100 + (year % 10) + 10 * k):
            if y != year and 1900 < y < 2030 and is_valid(y, month, day):
                candidates.append((y, month, day))
    candidates = sorted(set(candidates))
    return candidates[int(u * len(candidates))]
