"""Name matching for person search: normalisation, nicknames and fuzzy candidates.

A search name is normalised the way staged names are (upper case, ASCII, no punctuation) and
split into a forename (first word) and a surname (last word). :class:`NameIndex` holds the
distinct forenames and surnames of one snapshot and turns a query name into the *candidate*
stored names it should match: exact, nickname-equivalent forenames (the resolve package's
nickname table: BILLY finds WILLIAM and BILL), Double Metaphone surname keys where available,
and Jaro-Winkler neighbours (rapidfuzz, over the names :mod:`toex.web.candidates` finds able
to reach the cutoff), each with its similarity; the most recent answers are remembered, as
analysts repeat and refine searches. Candidates are only ever used inside the
access-filtered search; the index itself is never shown, so it may hold every name in the
snapshot.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from toex.web.candidates import CandidateIndex

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


_LETTERS = [ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
#: Names shorter than this have their lengths and counts in one byte each.
_NARROW = 255
#: Jaro-Winkler's largest prefix bonus: prefixes up to 4 characters, weight 0.1 each.
_MAX_PREFIX_BONUS = 0.4


@dataclass
class LetterBounds:
    """Lengths, first characters and A-Z letter counts of a list of names: an upper bound of
    each name's Jaro-Winkler similarity to a query, computed for all names at once.

    Jaro matches equal characters only, so the matching characters ``m`` of two names are
    at most the letters they have in common (each letter counted as often as it occurs in
    both) plus the smaller number of other characters; with ``m`` the Jaro similarity is at
    most ``(m/|a| + m/|b| + 1) / 3``, and Winkler adds at most 0.4 of the remainder when
    the first characters agree (none otherwise). Names whose bound is below the cutoff
    cannot reach it, so only the others need scoring: lossless, and a small share of the
    names for any query.

    It reads every name's counts for every query (linear in the distinct names); searches
    use :class:`~toex.web.candidates.CandidateIndex`, which finds the same names and fewer
    (a tighter prefix bonus) without that. Kept as the reference the index is tested and
    benchmarked against (``tests/web/test_candidates.py``, ``bench/bench_names.py``)."""

    lengths: npt.NDArray[Any]
    first: npt.NDArray[np.int32]
    others: npt.NDArray[Any]
    counts: npt.NDArray[Any]

    @classmethod
    def of(cls, names: list[str]) -> LetterBounds:
        """The bounds of ``names`` (vectorised over their UTF-8 bytes)."""
        n = len(names)
        if not n:
            none = np.zeros(0, dtype=np.int32)
            return cls(none, none, none, np.zeros((len(_LETTERS), 0), dtype=np.uint8))
        lengths = np.fromiter((len(x) for x in names), dtype=np.int32, count=n)
        first = np.fromiter((ord(x[0]) if x else -1 for x in names), dtype=np.int32, count=n)
        raw = np.array([x.encode("utf-8") for x in names], dtype=np.bytes_)
        matrix = raw.view(np.uint8).reshape(n, raw.dtype.itemsize)
        # One byte per count where names are short enough (they all are, in practice):
        # every pass of a query then reads a quarter of the memory.
        small = int(lengths.max()) < _NARROW
        counts = np.stack([(matrix == c).sum(axis=1) for c in _LETTERS])
        others = lengths - counts.sum(axis=0, dtype=np.int32)
        dtype = np.uint8 if small else np.int32
        return cls(lengths.astype(dtype), first, others.astype(dtype), counts.astype(dtype))

    def possible(self, query: str, cutoff: float) -> npt.NDArray[np.int64]:
        """Indices (ascending) of the names whose Jaro-Winkler similarity to ``query`` may
        reach ``cutoff``."""
        if not query or not len(self.lengths):
            return np.zeros(0, dtype=np.int64)
        la = len(query)
        # The fewest common characters a name of each length needs (the bound grows with
        # them): without and with the prefix bonus; la + 1 where none is enough.
        lb = np.arange(int(self.lengths.max()) + 1)
        m = np.minimum(np.arange(la + 1)[:, None], lb[None, :]).astype(np.float64)
        jaro = np.where(m > 0, (m / la + m / np.maximum(lb, 1) + 1) / 3, 0.0)
        need = []
        for bonus in (0.0, _MAX_PREFIX_BONUS):
            ok = np.where(jaro > 0.7, jaro + bonus * (1 - jaro), jaro) >= cutoff - 1e-9
            fewest = np.where(ok.any(axis=0), ok.argmax(axis=0), la + 1)
            # Capped at _NARROW in one-byte arrays: still more than any name there has.
            need.append(np.minimum(fewest, _NARROW).astype(self.lengths.dtype))
        needed = np.where(self.first == ord(query[0]), need[1][self.lengths], need[0][self.lengths])
        letters = Counter(c for c in query if "A" <= c <= "Z")
        common = np.minimum(self.others, min(la - sum(letters.values()), _NARROW))
        for c, k in letters.items():
            common += np.minimum(self.counts[ord(c) - 65], min(k, _NARROW))
        found: npt.NDArray[np.int64] = np.nonzero(common >= needed)[0]
        return found


Scored = Mapping[str, float]


class _Recent:
    """The most recent ``size`` answers of a function of strings (thread-safe LRU)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], Scored] = OrderedDict()

    def get(self, key: tuple[str, str], compute: Callable[[], Scored]) -> Scored:
        """The remembered answer for ``key``, else ``compute()`` remembered."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


#: How many query words' candidates each snapshot's name index remembers (analysts repeat
#: and refine searches; an answer is a few dozen names).
RECENT_QUERIES = 4096


@dataclass
class NameIndex:
    """Distinct forenames and surnames of a snapshot, with nickname and phonetic keys."""

    forenames: list[str]
    surnames: list[str]
    forename_by_group: dict[str, set[str]]
    surname_by_key: dict[str, set[str]]
    _index: dict[str, CandidateIndex] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _recent: _Recent = field(
        default_factory=lambda: _Recent(RECENT_QUERIES), init=False, repr=False, compare=False
    )

    def prepare(self) -> None:
        """Build the candidate indexes of the fuzzy names (:mod:`toex.web.candidates`; once
        per snapshot, when it opens, so no request pays for it)."""
        self._index["f"] = CandidateIndex.of(self.forenames)
        self._index["s"] = CandidateIndex.of(self.surnames)

    def _close(self, kind: str, names: list[str], query: str, cutoff: float) -> list[str]:
        """``names`` within Jaro-Winkler ``cutoff`` of ``query``, best first, at most
        :data:`MAX_CANDIDATES` (ties in list order), exactly as ``process.extract`` over all
        of ``names`` finds them; it only scores the names the candidate index
        (:class:`~toex.web.candidates.CandidateIndex`) finds able to reach the cutoff."""
        if kind not in self._index:
            self._index[kind] = CandidateIndex.of(names)
        choices = [names[i] for i in self._index[kind].possible(query, cutoff).tolist()]
        return [
            name
            for name, _score, _i in process.extract(
                query,
                choices,
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=cutoff,
                limit=MAX_CANDIDATES,
            )
        ]

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
        return set(self.forename_scores(forename))

    def forename_scores(self, forename: str) -> Scored:
        """:meth:`forename_candidates` with each one's :func:`forename_similarity` (read-only;
        the most recent :data:`RECENT_QUERIES` answers are remembered)."""
        if not forename:
            return MappingProxyType({})
        return self._recent.get(("f", forename), lambda: self._forenames(forename))

    def _forenames(self, forename: str) -> Scored:
        out = {forename}
        for g in _groups_fn()(forename):
            out |= self.forename_by_group.get(g, set())
        out.update(self._close("f", self.forenames, forename, FORENAME_CUTOFF))
        return MappingProxyType({n: forename_similarity(forename, n) for n in sorted(out)})

    def surname_candidates(self, surname: str) -> set[str]:
        """Stored surnames a query surname should match: itself, sound-alikes, close spellings."""
        return set(self.surname_scores(surname))

    def surname_scores(self, surname: str) -> Scored:
        """:meth:`surname_candidates` with each one's :func:`surname_similarity` (read-only;
        the most recent :data:`RECENT_QUERIES` answers are remembered)."""
        if not surname:
            return MappingProxyType({})
        return self._recent.get(("s", surname), lambda: self._surnames(surname))

    def _surnames(self, surname: str) -> Scored:
        out = {surname}
        metaphones = _metaphone_fn()
        if metaphones is not None:
            for k in metaphones(surname):
                out |= self.surname_by_key.get(k, set())
        out.update(self._close("s", self.surnames, surname, SURNAME_CUTOFF))
        return MappingProxyType({n: surname_similarity(surname, n) for n in sorted(out)})


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
