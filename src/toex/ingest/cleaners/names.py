"""Names: an upper-case ASCII form beside the original, and splitters for one-column names.

Normalising (in Python over distinct values, since transliteration needs ``unicodedata``):
accents dropped (``Zoë`` -> ``ZOE``), ``ß``/``Ø``/``Ł``/``Æ`` transliterated, apostrophes
removed (``O'Brien`` -> ``OBRIEN``), any other non-letter a space, spaces collapsed.

Cleaners: ``forename`` (first forename, further forenames to ``middle_names``), ``surname``,
``name`` (any normalised name), ``surname_forename`` (one column ``"SMITH, John Paul"``) and
``forename_surname`` (one column ``"Mr John Paul Smith"``; titles dropped).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar

from toex.ingest.cleaners.base import Cleaner

_TRANSLIT = str.maketrans(
    {
        "ß": "SS",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "O",
        "Ł": "L",
        "ł": "L",
        "Æ": "AE",
        "æ": "AE",
        "Œ": "OE",
        "œ": "OE",
        "Đ": "D",
        "đ": "D",
        "Þ": "TH",
        "þ": "TH",
        "ı": "I",
    }
)
_APOSTROPHES = re.compile(r"['’`´]")
_NON_LETTER = re.compile(r"[^A-Z]+")
TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MX", "DR", "PROF", "SIR", "REV"})


def normalise_name(text: str | None) -> str | None:
    """``"  Zoë O'Brien-Smith "`` -> ``"ZOE OBRIEN SMITH"``; ``None`` if no letters remain."""
    if text is None:
        return None
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = _NON_LETTER.sub(" ", _APOSTROPHES.sub("", text)).strip()
    return text or None


def split_forenames(text: str | None) -> tuple[str | None, str | None]:
    """Normalised (first forename, further forenames)."""
    norm = normalise_name(text)
    if norm is None:
        return None, None
    first, _, rest = norm.partition(" ")
    return first, rest or None


def split_surname_forename(text: str) -> tuple[str | None, str | None]:
    """``"SMITH, John Paul"`` -> (``"SMITH"``, ``"John Paul"``) as written; no comma: surname."""
    surname, comma, forenames = text.partition(",")
    return (surname.strip() or None), (forenames.strip() or None) if comma else None


def split_forename_surname(text: str) -> tuple[str | None, str | None]:
    """``"Mr John Paul Smith"`` -> (``"Smith"``, ``"John Paul"``): last word is the surname."""
    words = text.split()
    while words and normalise_name(words[0]) in TITLES and len(words) > 1:
        words = words[1:]
    if not words:
        return None, None
    return words[-1], (" ".join(words[:-1]) or None)


class NameCleaner(Cleaner):
    """Any name, normalised (upper-case ASCII letters and single spaces)."""

    name = "name"
    summary = "A name normalised to upper-case ASCII letters and spaces."

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Normalise each distinct value."""
        return {"value": [normalise_name(v) for v in values]}


class SurnameCleaner(NameCleaner):
    """A surname column: ``surname`` normalised, ``surname_raw`` as written."""

    name = "surname"
    summary = "Surname: `surname` normalised and `surname_raw`."


class ForenameCleaner(Cleaner):
    """A forenames column: first forename, further forenames, and the original."""

    name = "forename"
    summary = "Forenames: `forename` (first), `middle_names` (rest), `forename_raw`."
    lookup_types: ClassVar = {"value": "VARCHAR", "middle": "VARCHAR"}

    def outputs(self, target: str) -> dict[str, str]:
        """``forename`` and ``middle_names``."""
        return {target: "value", "middle_names": "middle"}

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Split each distinct value into first and further forenames."""
        pairs = [split_forenames(v) for v in values]
        return {"value": [p[0] for p in pairs], "middle": [p[1] for p in pairs]}


class _FullNameCleaner(Cleaner):
    """One column holding the whole name, split into the mention's five name columns."""

    lookup_types: ClassVar = {
        "value": "VARCHAR",
        "surname_raw": "VARCHAR",
        "forename_raw": "VARCHAR",
        "surname": "VARCHAR",
        "forename": "VARCHAR",
        "middle": "VARCHAR",
    }
    raw_output = False

    def split(self, text: str) -> tuple[str | None, str | None]:
        """(surname, forenames) as written."""
        raise NotImplementedError

    def outputs(self, target: str) -> dict[str, str]:
        """The five name columns of ``staged_person_mention`` (``target`` is a label only)."""
        return {
            "surname_raw": "surname_raw",
            "forename_raw": "forename_raw",
            "surname": "surname",
            "forename": "forename",
            "middle_names": "middle",
        }

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Split then normalise each distinct value."""
        out: dict[str, list[Any]] = {k: [] for k in self.lookup_types}
        for v in values:
            surname, forenames = self.split(v)
            first, middle = split_forenames(forenames)
            norm_surname = normalise_name(surname)
            out["surname_raw"].append(surname)
            out["forename_raw"].append(forenames)
            out["surname"].append(norm_surname)
            out["forename"].append(first)
            out["middle"].append(middle)
            out["value"].append(norm_surname or first)
        return out


class SurnameForenameCleaner(_FullNameCleaner):
    """``"SMITH, John Paul"`` in one column."""

    name = "surname_forename"
    summary = "One column `Surname, Forenames` split into the five name columns."

    def split(self, text: str) -> tuple[str | None, str | None]:
        """Split at the first comma."""
        return split_surname_forename(text)


class ForenameSurnameCleaner(_FullNameCleaner):
    """``"Mr John Paul Smith"`` in one column."""

    name = "forename_surname"
    summary = "One column `[Title] Forenames Surname` split into the five name columns."

    def split(self, text: str) -> tuple[str | None, str | None]:
        """The last word is the surname; a leading title is dropped."""
        return split_forename_surname(text)
