"""The name-gender reference behind two STIM indicators: a male name in the registered email
address, and a male attempting to pay.

Source: the first-name lists of the Faker package (``first_names_male`` and
``first_names_female`` of the person providers for the locales in :data:`LOCALES`: British,
Irish, US, Romanian, Brazilian and Portuguese, Polish, Hungarian, Albanian-adjacent,
Czech, Slovak, Spanish, Italian, French, German, Dutch, Turkish, Vietnamese, Nigerian,
Indian and Latvian names, transliterated to ASCII). Faker's lists are drawn from national
statistics offices' name registers and are what the synthetic generator samples from; a
force deploying toex can replace the reference with the ONS baby-names tables by passing
its own CSV (``name,gender``) to :func:`load_reference`. A name found in both the male and
the female list of any locale (Jean, Andrea, Sasha...) is *ambiguous* and never counts as
male. Names shorter than three letters are dropped.
"""

from __future__ import annotations

import csv
import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: Faker person-provider locales the reference is built from.
LOCALES: tuple[str, ...] = (
    "en_GB",
    "en_IE",
    "en_US",
    "en_IN",
    "en_NG",
    "yo_NG",
    "ig_NG",
    "ro_RO",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "hu_HU",
    "cs_CZ",
    "sk_SK",
    "es_ES",
    "it_IT",
    "fr_FR",
    "de_DE",
    "nl_NL",
    "tr_TR",
    "vi_VN",
    "lv_LV",
    "sq_AL",
    "uk_UA",
)
MIN_NAME_LENGTH = 3


def ascii_name(name: str) -> str:
    """Lower-case ASCII letters only ("Ștefan" -> "stefan")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


@dataclass(frozen=True)
class NameGenderReference:
    """Male-only and female-only first names (ASCII, lower case)."""

    male: frozenset[str]
    female: frozenset[str]
    source: str
    surnames: frozenset[str] = frozenset()

    def gender_of(self, forename: str | None) -> str | None:
        """ "M" or "F" for a name in one list only, None for ambiguous or unknown names."""
        if not forename:
            return None
        key = ascii_name(forename.split()[0]) if forename.split() else ""
        if key in self.male:
            return "M"
        if key in self.female:
            return "F"
        return None

    def male_name_in_email(self, email: str | None) -> str | None:
        """The male first name found in an email's local part, else None.

        Only the first part of the local part counts (split on anything that is not a
        letter: "john.smith88", "dave_k"), because later parts are mostly surnames, some of
        which are also first names elsewhere (Mate, Stan). The first part counts when it is
        a male-only name, or runs a male-only name into a known surname ("johnsmith"); so
        "alexandra" is not read as "alex", nor "stanescu" as "stan", nor "sweetcandy" as
        "andy".
        """
        if not email or "@" not in email:
            return None
        local = email.split("@", 1)[0]
        parts = [ascii_name(p) for p in re.split(r"[^A-Za-z]+", local) if p]
        if not parts:
            return None
        first = parts[0]
        if first in self.male:
            return first
        if first in self.female:
            return None
        lead = self._longest_leading_name(first)
        rest = first[len(lead) :] if lead else ""
        if lead in self.male and (not rest or rest in self.surnames):
            return lead
        return None

    def _longest_leading_name(self, part: str) -> str | None:
        for end in range(len(part), MIN_NAME_LENGTH, -1):
            head = part[:end]
            if head in self.male or head in self.female:
                return head
        return None


def _faker_lists(locale: str) -> tuple[list[str], list[str]]:
    try:
        module = importlib.import_module(f"faker.providers.person.{locale}")
    except ImportError:
        return [], []
    provider = module.Provider
    male = getattr(provider, "first_names_male", ()) or ()
    female = getattr(provider, "first_names_female", ()) or ()
    # Some providers hold OrderedDicts of name -> weight.
    return list(male), list(female)


def build_reference(
    pairs: Iterable[tuple[str, str]], source: str, surnames: Iterable[str] = ()
) -> NameGenderReference:
    """A reference from (name, "M"/"F") pairs; names in both genders become ambiguous."""
    male: set[str] = set()
    female: set[str] = set()
    for name, gender in pairs:
        key = ascii_name(name)
        if len(key) < MIN_NAME_LENGTH:
            continue
        (male if gender.upper().startswith("M") else female).add(key)
    both = male & female
    return NameGenderReference(
        frozenset(male - both),
        frozenset(female - both),
        source,
        frozenset(ascii_name(s) for s in surnames),
    )


@cache
def faker_reference() -> NameGenderReference:
    """The shipped reference, built from Faker's first-name lists (see module docstring)."""
    pairs: list[tuple[str, str]] = []
    surnames: list[str] = []
    for locale in LOCALES:
        male, female = _faker_lists(locale)
        pairs.extend((n, "M") for n in male)
        pairs.extend((n, "F") for n in female)
        surnames.extend(_faker_surnames(locale))
    return build_reference(pairs, "Faker first_names_male/female: " + ", ".join(LOCALES), surnames)


def _faker_surnames(locale: str) -> list[str]:
    try:
        module = importlib.import_module(f"faker.providers.person.{locale}")
    except ImportError:
        return []
    return list(getattr(module.Provider, "last_names", ()) or ())


def load_reference(path: Path | None = None) -> NameGenderReference:
    """The reference from a CSV with ``name`` and ``gender`` columns, else the shipped one."""
    if path is None:
        return faker_reference()
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = [(r["name"], r["gender"]) for r in csv.DictReader(fh)]
    return build_reference(rows, str(path))


_MALE_TITLES = frozenset({"mr", "master", "sir", "lord"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "madam", "mx_f", "dame", "lady"})


def payer_is_male(
    title: str | None, payer_name: str | None, reference: NameGenderReference
) -> bool:
    """Whether a payer is male: title Mr (or another male title), or with no gendered
    title, a forename the reference gives as male only. An initial alone tells nothing."""
    key = re.sub(r"[^a-z]", "", (title or "").lower())
    if key in _MALE_TITLES or key == "m" or key == "male":
        return True
    if key in _FEMALE_TITLES or key in {"f", "female"}:
        return False
    if not payer_name:
        return False
    first = payer_name.strip().split()[0] if payer_name.strip() else ""
    return reference.gender_of(first) == "M"
