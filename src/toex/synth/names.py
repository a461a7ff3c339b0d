"""Name vocabularies with frequency weights, the nickname table, and ASCII folding.

Names come from the ``faker`` package's person providers (sampled with numpy, never through
Faker per record). Weights:

- lists faker ships with weights (en_GB surnames: percent of the population, from ONS; hu_HU)
  are used as they are;
- lists faker orders by popularity without weights (en_GB forenames, vi_VN and pl_PL
  surnames) get Zipf weights ``1 / rank ** first_name_zipf``;
- alphabetical lists are sampled uniformly.

British surnames get a long tail: faker's 500 en_GB surnames cover 39.5% of the population;
the remaining 60.5% is spread uniformly over the en_IE and en_NZ surnames that are not among
them, so "Smith" is about 1.2% of British people, as in the ONS counts. Albanian names, which
faker lacks, come from ``data/extra_names.csv``.
"""

from __future__ import annotations

import csv
import importlib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from toex.synth.rates import cdf_of, draw

_ZIPF_FORENAMES = {"en_GB"}
_ZIPF_SURNAMES = {"vi_VN", "pl_PL"}
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ı": "i",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
    }
)


def ascii_fold(text: str) -> str:
    """``text`` with diacritics removed ("Ioniță" -> "Ionita", "Łukasz" -> "Lukasz")."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def cp1252_fold(text: str) -> str:
    """``text`` with only the characters cp1252 cannot encode folded to ASCII."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(c if _in_cp1252(c) else ascii_fold(c) for c in text)
    return text


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class LocaleNames:
    """Sampling tables of one name locale: indices into the vocabularies and their CDFs."""

    male: np.ndarray
    male_cdf: np.ndarray
    female: np.ndarray
    female_cdf: np.ndarray
    surname: np.ndarray
    surname_cdf: np.ndarray
    surname_female: np.ndarray  # feminine form of each surname (same index when none)


@dataclass(frozen=True)
class NameBook:
    """Every forename and surname the generator may write, and how to sample them."""

    forenames: np.ndarray  # object array of str
    surnames: np.ndarray
    locales: dict[str, LocaleNames]
    diminutives: dict[int, tuple[str, ...]]  # forename index -> diminutives
    has_diminutive: np.ndarray  # bool per forename index

    def sample_forenames(self, locale: str, male: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Forename indices for one locale; ``male`` bool array, ``u`` uniforms."""
        loc = self.locales[locale]
        out = np.empty(len(male), dtype=np.int32)
        m = np.asarray(male, dtype=bool)
        out[m] = loc.male[draw(loc.male_cdf, u[m])]
        out[~m] = loc.female[draw(loc.female_cdf, u[~m])]
        return out

    def sample_surnames(self, locale: str, male: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Surname indices for one locale (feminine forms for women where the locale has them)."""
        loc = self.locales[locale]
        pick = draw(loc.surname_cdf, u)
        return np.where(
            np.asarray(male, dtype=bool), loc.surname[pick], loc.surname_female[pick]
        ).astype(np.int32)


def _as_weighted(values: Any, zipf: bool, s: float) -> tuple[list[str], np.ndarray]:
    if isinstance(values, dict):
        names = list(values)
        return names, np.array([float(values[n]) for n in names])
    names = list(dict.fromkeys(values))
    if zipf:
        return names, 1.0 / np.arange(1, len(names) + 1, dtype=float) ** s
    return names, np.ones(len(names))


def _extra_names() -> dict[tuple[str, str], list[str]]:
    path = resources.files("toex.synth").joinpath("data/extra_names.csv")
    out: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault((row["locale"], row["kind"]), []).append(row["name"])
    return out


def _faker_lists(locale: str) -> tuple[Any, Any, Any]:
    extra = _extra_names()
    if (locale, "male") in extra:
        return extra[(locale, "male")], extra[(locale, "female")], extra[(locale, "surname")]
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    attrs = provider.__dict__
    male = attrs.get("first_names_male")
    female = attrs.get("first_names_female")
    surnames = (
        attrs.get("male_last_names") or attrs.get("last_names_male") or attrs.get("last_names")
    )
    if male is None or female is None or surnames is None:
        raise ValueError(f"faker locale {locale} lacks forename or surname lists")
    return male, female, surnames


def _feminine(surname: str, locale: str) -> str:
    if locale == "pl_PL":
        for male_end, female_end in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(male_end):
                return surname[: -len(male_end)] + female_end
    return surname


def load_nicknames() -> dict[str, tuple[str, ...]]:
    """The shipped name -> diminutives table (``data/nicknames.csv``)."""
    path = resources.files("toex.synth").joinpath("data/nicknames.csv")
    table: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            table.setdefault(row["name"], []).append(row["diminutive"])
    return {k: tuple(v) for k, v in table.items()}


def _british_tail(known: set[str]) -> list[str]:
    tail: dict[str, None] = {}
    for locale in ("en_IE", "en_NZ"):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for name in provider.__dict__["last_names"]:
            if name not in known and " " not in name and name.isascii():
                tail[name] = None
    return list(tail)


@cache
def build_namebook(locales: tuple[str, ...], zipf_s: float) -> NameBook:
    """Vocabularies and sampling tables for ``locales`` (deterministic for the arguments)."""
    fore_index: dict[str, int] = {}
    sur_index: dict[str, int] = {}

    def fidx(name: str) -> int:
        """Index of a forename in the vocabulary (added when new)."""
        return fore_index.setdefault(name, len(fore_index))

    def sidx(name: str) -> int:
        """Index of a surname in the vocabulary (added when new)."""
        return sur_index.setdefault(name, len(sur_index))

    tables = {}
    for locale in locales:
        male, female, surnames = _faker_lists(locale)
        m_names, m_w = _as_weighted(male, locale in _ZIPF_FORENAMES, zipf_s)
        f_names, f_w = _as_weighted(female, locale in _ZIPF_FORENAMES, zipf_s)
        s_names, s_w = _as_weighted(surnames, locale in _ZIPF_SURNAMES, zipf_s)
        plain = [i for i, name in enumerate(s_names) if "-" not in name]  # hyphens are ours
        s_names, s_w = [s_names[i] for i in plain], s_w[plain]
        if locale == "en_GB":
            tail = _british_tail(set(s_names))
            s_w = s_w / s_w.sum() * 39.5
            s_names = s_names + tail
            s_w = np.concatenate([s_w, np.full(len(tail), 60.5 / len(tail))])
        tables[locale] = LocaleNames(
            male=np.array([fidx(n) for n in m_names], dtype=np.int32),
            male_cdf=cdf_of(m_w),
            female=np.array([fidx(n) for n in f_names], dtype=np.int32),
            female_cdf=cdf_of(f_w),
            surname=np.array([sidx(n) for n in s_names], dtype=np.int32),
            surname_cdf=cdf_of(s_w),
            surname_female=np.array([sidx(_feminine(n, locale)) for n in s_names], dtype=np.int32),
        )
    forenames = np.empty(len(fore_index), dtype=object)
    forenames[:] = list(fore_index)
    surnames_arr = np.empty(len(sur_index), dtype=object)
    surnames_arr[:] = list(sur_index)
    nick = load_nicknames()
    diminutives = {i: nick[n] for n, i in fore_index.items() if n in nick}
    has = np.zeros(len(forenames), dtype=bool)
    has[list(diminutives)] = True
    return NameBook(forenames, surnames_arr, tables, diminutives, has)
