"""Name matching for person search: normalisation, nicknames and fuzzy candidates.

A search name is normalised the way staged names are (upper case, ASCII, no punctuation) and
split into a forename (first word) and a surname (last word). :class:`NameIndex` holds the
distinct forenames and surnames of one snapshot and turns a query name into the *candidate*
stored names it should match: exact, nickname-equivalent forenames (the resolve package's
nickname table: BILLY finds WILLIAM and BILL), Double Metaphone surname keys where available,
and Jaro-Winkler neighbours (rapidfuzz). Candidates are only ever used inside the access-
filtered query; the index itself is never shown, so it may hold every name in the snapshot.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

if TYPE_CHECKING:
    from toex.web.warehouse import OpenSnapshot

_NOT_NAME = re.compile(r"[^A-Z \-']+")
_SPACES = re.compile(r"\s+")
FORENAME_CUTOFF = 0.88
SURNAME_CUTOFF = 0.86
MAX_CANDIDATES = 60


def normalise_name(text: str) -> str:
    """Upper-case ASCII letters, single spaces; accents dropped, punctuation removed."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _NOT_NAME.sub(" ", ascii_text.upper()).replace("'", "")
    return _SPACES.sub(" ", cleaned).strip()


def split_name(text: str) -> tuple[str, str]:
    """(forename, surname) of a search name; a single word is returned as ("", word)."""
    words = normalise_name(text).split(" ")
    words = [w for w in words if w]
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    return words[0], words[-1]


@functools.cache
def _groups_fn() -> Callable[[str], list[str]]:
    try:
        from toex.resolve.nicknames import forename_groups
    except ImportError:  # the resolve package not installed: every name is its own group
        return lambda name: [name] if name else []
    return _memo(forename_groups)


@functools.cache
def _metaphone_fn() -> Callable[[str], list[str]] | None:
    try:
        from toex.resolve.name_keys import surname_metaphones
    except ImportError:
        return None
    return _memo(surname_metaphones)


def _memo(fn: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``fn`` remembered for the most recent 200,000 names (keys of stored names are asked
    for on every search that finds them)."""
    cached = functools.lru_cache(maxsize=200_000)(lambda name: tuple(fn(name)))
    return lambda name: list(cached(name))


@dataclass
class NameIndex:
    """Distinct forenames and surnames of a snapshot, with nickname and phonetic keys."""

    forenames: list[str]
    surnames: list[str]
    forename_by_group: dict[str, set[str]]
    surname_by_key: dict[str, set[str]]

    @classmethod
    def from_names(cls, forenames: Iterable[str], surnames: Iterable[str]) -> NameIndex:
        """Build the index from distinct normalised forenames and surnames."""
        groups = _groups_fn()
        metaphones = _metaphone_fn()
        fnames = sorted({f for f in forenames if f})
        snames = sorted({s for s in surnames if s})
        by_group: dict[str, set[str]] = {}
        for f in fnames:
            for g in groups(f):
                by_group.setdefault(g, set()).add(f)
        by_key: dict[str, set[str]] = {}
        if metaphones is not None:
            for s in snames:
                for k in metaphones(s):
                    by_key.setdefault(k, set()).add(s)
        return cls(fnames, snames, by_group, by_key)

    @classmethod
    def build(cls, cur: Any, snapshot: OpenSnapshot) -> NameIndex:
        """Read the distinct names of ``staged_person_mention`` (empty when absent)."""
        if not snapshot.has_columns("staged_person_mention", "forename", "surname"):
            return cls([], [], {}, {})
        fn = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT forename FROM staged_person_mention WHERE forename IS NOT NULL"
            ).fetchall()
        ]
        sn = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT surname FROM staged_person_mention WHERE surname IS NOT NULL"
            ).fetchall()
        ]
        return cls.from_names(fn, sn)

    def forename_candidates(self, forename: str) -> set[str]:
        """Stored forenames a query forename should match: itself, nicknames, close spellings."""
        if not forename:
            return set()
        out = {forename}
        for g in _groups_fn()(forename):
            out |= self.forename_by_group.get(g, set())
        for name, _score, _i in process.extract(
            forename,
            self.forenames,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=FORENAME_CUTOFF,
            limit=MAX_CANDIDATES,
        ):
            out.add(name)
        return out

    def surname_candidates(self, surname: str) -> set[str]:
        """Stored surnames a query surname should match: itself, sound-alikes, close spellings."""
        if not surname:
            return set()
        out = {surname}
        metaphones = _metaphone_fn()
        if metaphones is not None:
            for k in metaphones(surname):
                out |= self.surname_by_key.get(k, set())
        for name, _score, _i in process.extract(
            surname,
            self.surnames,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=SURNAME_CUTOFF,
            limit=MAX_CANDIDATES,
        ):
            out.add(name)
        return out


def forename_similarity(query: str, stored: str | None) -> float:
    """1.0 equal, 0.95 nickname-equivalent, else Jaro-Winkler similarity (0 when missing)."""
    if not query or not stored:
        return 0.0
    if query == stored:
        return 1.0
    groups = _groups_fn()
    if set(groups(query)) & set(groups(stored)):
        return 0.95
    return float(JaroWinkler.normalized_similarity(query, stored))


def surname_similarity(query: str, stored: str | None) -> float:
    """1.0 equal, at least 0.9 when the Double Metaphone keys agree, else Jaro-Winkler."""
    if not query or not stored:
        return 0.0
    if query == stored:
        return 1.0
    score = float(JaroWinkler.normalized_similarity(query, stored))
    metaphones = _metaphone_fn()
    if metaphones is not None and set(metaphones(query)) & set(metaphones(stored)):
        score = max(score, 0.9)
    return score
