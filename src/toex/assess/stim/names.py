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
    #: Forenames found in both lists (never male, never female; still masked as names).
    ambiguous: frozenset[str] = frozenset()

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

        The local part is split into parts on anything that is not a letter
        ("john.smith88" -> john, smith). In order:

        1. a part that is a female-only forename means a woman's address: None
           ("maria.thomas", "thomas.maria" written surname first);
        2. forename first: the first part is a male-only forename ("john.smith", "dave_k"),
           or runs a male-only forename into a known surname or one initial ("johnsmith",
           "andreip");
        3. surname first: the first part is a known surname that is no forename, and the
           second part is a male-only forename ("popescu.andrei"), or the first part runs a
           known surname into a male-only forename ("popescuandrei").

        An initial followed by a surname says nothing ("m.thomas", "mthomas": Thomas is the
        surname), so a woman whose surname is also a man's forename is not read as male;
        nor is "alexandra" read as "alex", "stanescu" as "stan" or "sweetcandy" as "andy".
        """
        if not email or "@" not in email:
            return None
        local = email.split("@", 1)[0]
        parts = [ascii_name(p) for p in re.split(r"[^A-Za-z]+", local) if p]
        parts = [p for p in parts if p]
        if not parts:
            return None
        if any(p in self.female for p in parts):
            return None
        first = parts[0]
        if first in self.male:
            return first
        for lead in self._leading_names(first):
            rest = first[len(lead) :]
            # A three-letter name and one more letter is more often a longer name
            # ("lexi") than a forename and an initial.
            initial = len(rest) == 1 and len(lead) > MIN_NAME_LENGTH
            if not rest or rest in self.surnames or initial:
                return lead if lead in self.male else None
        forenames = (self.male, self.female, self.ambiguous)
        if first in self.surnames and not any(first in names for names in forenames):
            return parts[1] if len(parts) > 1 and parts[1] in self.male else None
        trail = self._longest_trailing_name(first)
        if trail in self.male and first[: -len(trail)] in self.surnames:
            return trail
        return None

    def _leading_names(self, part: str) -> list[str]:
        """Forenames the part starts with, longest first ("danielswift": daniels, daniel)."""
        return [
            part[:end]
            for end in range(len(part), MIN_NAME_LENGTH - 1, -1)
            if part[:end] in self.male or part[:end] in self.female
        ]

    def _longest_trailing_name(self, part: str) -> str | None:
        for start in range(0, len(part) - MIN_NAME_LENGTH):
            tail = part[start:]
            if tail in self.male or tail in self.female:
                return tail
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
        frozenset(both),
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


_MALE_TITLES = frozenset({"mr", "master", "sir", "lord", "m", "male"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "madam", "dame", "lady", "f", "female"})
_ALL_TITLES = _MALE_TITLES | _FEMALE_TITLES | {"dr", "mx", "prof", "rev"}


def split_title(payer_name: str | None) -> tuple[str | None, str]:
    """(title, the rest) of a cardholder name written with its title: "MR F POPESCU" ->
    ("mr", "F POPESCU"), "Popescu F (Mrs)" -> ("mrs", "Popescu F"); no title -> None."""
    tokens = (payer_name or "").split()
    if not tokens:
        return None, ""
    for pos in (0, len(tokens) - 1):
        key = re.sub(r"[^a-z]", "", tokens[pos].lower())
        if key in _ALL_TITLES and len(key) > 1 and len(tokens) > 1:
            rest = tokens[1:] if pos == 0 else tokens[:-1]
            return key, " ".join(rest)
    return None, " ".join(tokens)


def payer_is_male(
    title: str | None, payer_name: str | None, reference: NameGenderReference
) -> bool:
    """Whether a payer is male: title Mr (or another male title) in the title field or
    written in the cardholder name ("MR F POPESCU"); with no gendered title, a forename the
    reference gives as male only. An initial alone tells nothing."""
    key = re.sub(r"[^a-z]", "", (title or "").lower())
    written, rest = split_title(payer_name)
    for candidate in (key, written or ""):
        if candidate in _MALE_TITLES:
            return True
        if candidate in _FEMALE_TITLES:
            return False
    first = rest.strip().split()[0] if rest.strip() else ""
    return reference.gender_of(first) == "M"
