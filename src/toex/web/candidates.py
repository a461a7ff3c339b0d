"""Which stored names may be within a Jaro-Winkler cutoff of a query, found without
counting every name's letters.

Jaro matches equal characters only, so two names' matching characters ``m`` are at most the
characters they have in common (each counted as often as both have it; every character
outside A-Z counted as one symbol, "other"), and the Jaro similarity is at most
``(m/|a| + m/|b| + 1) / 3``. Winkler adds ``0.1 * l * (1 - jaro)`` for a common prefix of
``l <= 4`` characters (none unless the first characters agree), so for a query of length
``la`` each stored length ``lb`` needs a fewest number of common characters
(:func:`need_table`), with the prefix bonus for names sharing the query's first character
and without it for the others. :class:`CandidateIndex` finds exactly the names meeting it:

* **names starting with the query's first character** are one contiguous range of the
  sorted names (a binary search), a few per cent of them; their common characters are
  counted over that range only;
* **the other names** must reach the cutoff on Jaro alone, so may miss only a few of the
  query's characters (one or two for most names; none for short ones). A name's characters
  are kept as bitsets, one bit per name for each (symbol, j-th occurrence), so "misses at
  most d of the query's characters" is a handful of bitwise operations on 64 names at a
  time (a saturating count of misses, per name length), and only the names left are
  decoded.

What comes back is exactly the set of names whose bound reaches the cutoff (tested against
counting every name); rapidfuzz then scores only those. The bitsets are built when a
snapshot opens (numpy; tens of milliseconds and about 1.5 MB per hundred thousand names).
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Bits = npt.NDArray[np.uint64]
_OTHER = 26  # symbol of every character outside A-Z
_SYMBOLS = 27
#: Jaro-Winkler's prefix weight and longest prefix; the bonus applies above this Jaro.
_PREFIX_WEIGHT = 0.1
_MAX_PREFIX = 4
_BONUS_THRESHOLD = 0.7
_LAST = chr(0x10FFFF)


@functools.lru_cache(maxsize=4096)
def need_table(la: int, max_len: int, cutoff: float, prefix: bool) -> IntArray:
    """``out[lb]``: the fewest common characters a name of length ``lb`` needs for its
    Jaro-Winkler similarity to a query of length ``la`` to possibly reach ``cutoff``
    (``la + 1`` where none is enough); with ``prefix``, allowing the largest prefix bonus
    the two lengths permit."""
    lb = np.arange(max_len + 1)
    m = np.minimum(np.arange(la + 1)[:, None], lb[None, :]).astype(np.float64)
    jaro = np.where(m > 0, (m / max(la, 1) + m / np.maximum(lb, 1) + 1) / 3, 0.0)
    if prefix:
        longest = np.minimum(np.minimum(lb, la), _MAX_PREFIX)[None, :] * _PREFIX_WEIGHT
        jaro = np.where(jaro > _BONUS_THRESHOLD, jaro + longest * (1 - jaro), jaro)
    ok = jaro >= cutoff - 1e-9
    out: IntArray = np.where(ok.any(axis=0), ok.argmax(axis=0), la + 1)
    out.flags.writeable = False  # remembered: shared by every caller
    return out


def _symbol_counts(query: str) -> Counter[int]:
    """The query's characters by symbol (A-Z as 0-25, anything else as :data:`_OTHER`)."""
    return Counter(ord(c) - 65 if "A" <= c <= "Z" else _OTHER for c in query)


def _pack(flags: npt.NDArray[np.bool_], words: int) -> Bits:
    """Booleans as a bitset of ``words`` 64-bit words (bit ``i % 64`` of word ``i // 64``)."""
    packed = np.packbits(flags, bitorder="little")
    out = np.zeros(words * 8, dtype=np.uint8)
    out[: len(packed)] = packed
    return out.view(np.uint64)


def _unpack(bits: Bits) -> IntArray:
    """The positions (ascending) of the set bits of a bitset."""
    nonzero = np.flatnonzero(bits)
    if not len(nonzero):
        return np.zeros(0, dtype=np.int64)
    flags = np.unpackbits(bits[nonzero].view(np.uint8), bitorder="little").reshape(-1, 64)
    row, col = np.nonzero(flags)
    out: IntArray = nonzero[row] * 64 + col
    return out


@dataclass
class CandidateIndex:
    """Names with their lengths, first characters, symbol counts and bitsets (see the
    module docstring)."""

    names: list[str]
    lengths: npt.NDArray[np.int32]
    first: npt.NDArray[np.int32]
    counts: npt.NDArray[np.uint8] | npt.NDArray[np.int16]
    #: Row of token (symbol, j) in :attr:`tokens` is ``token_base[symbol] + j - 1``.
    token_base: IntArray
    token_max: IntArray
    #: One bitset per token: the names with at least j of the symbol.
    tokens: Bits
    #: One bitset per length: the names of that length.
    by_length: Bits
    #: Sorted names find those sharing the query's first character by a binary search.
    is_sorted: bool = True

    @classmethod
    def of(cls, names: list[str]) -> CandidateIndex:
        """The index of ``names`` (vectorised over their UTF-8 bytes)."""
        n = len(names)
        words = (n + 63) // 64
        lengths = np.fromiter((len(x) for x in names), dtype=np.int32, count=n)
        first = np.fromiter((ord(x[0]) if x else -1 for x in names), dtype=np.int32, count=n)
        # One byte per count while names are shorter than 256 characters (they are).
        wide = bool(n) and int(lengths.max()) > 255
        counts = np.zeros((_SYMBOLS, n), dtype=np.int16 if wide else np.uint8)
        if n:
            raw = np.array([x.encode("utf-8") for x in names], dtype=np.bytes_)
            matrix = raw.view(np.uint8).reshape(n, raw.dtype.itemsize)
            for s in range(26):
                counts[s] = (matrix == 65 + s).sum(axis=1)
            counts[_OTHER] = lengths - counts[:26].sum(axis=0, dtype=np.int32)
        max_len = int(lengths.max()) if n else 0
        token_base = np.zeros(_SYMBOLS, dtype=np.int64)
        token_max = counts.max(axis=1).astype(np.int64) if n else np.zeros(_SYMBOLS, np.int64)
        rows: list[Bits] = []
        for s in range(_SYMBOLS):
            token_base[s] = len(rows)
            rows.extend(_pack(counts[s] >= j, words) for j in range(1, int(token_max[s]) + 1))
        tokens = np.array(rows, dtype=np.uint64).reshape(len(rows), words)
        by_length = np.array(
            [_pack(lengths == lb, words) for lb in range(max_len + 1)], dtype=np.uint64
        ).reshape(max_len + 1, words)
        is_sorted = all(a <= b for a, b in itertools.pairwise(names))
        return cls(
            names, lengths, first, counts, token_base, token_max, tokens, by_length, is_sorted
        )

    def _common(self, symbols: Counter[int], rows: slice | IntArray) -> npt.NDArray[np.int16]:
        """How many characters the query (its ``symbols``) shares with each name of ``rows``."""
        total = np.zeros(len(self.lengths[rows]), dtype=np.int16)
        scratch = np.empty_like(total)
        cap = int(np.iinfo(self.counts.dtype).max)  # no name has more of a symbol
        for s, k in symbols.items():
            np.minimum(self.counts[s, rows], min(k, cap), out=scratch)
            total += scratch
        return total

    def _same_first(self, query: str) -> slice | IntArray:
        """The names starting with the query's first character: a range of the sorted names
        (an index array when they are not sorted)."""
        if not self.is_sorted:  # built by hand: one pass over the first characters
            return np.flatnonzero(self.first == ord(query[0]))
        c = query[0]
        lo = bisect.bisect_left(self.names, c)
        hi = bisect.bisect_left(self.names, chr(ord(c) + 1)) if c < _LAST else len(self.names)
        return slice(lo, hi)

    def _few_misses(self, symbols: Counter[int], allowed: IntArray) -> Bits:
        """The bitset of the names of each length ``lb`` missing at most ``allowed[lb]`` of
        the query's characters (-1: none of that length)."""
        words = self.tokens.shape[1]
        absent = 0
        present: list[int] = []
        for s, k in symbols.items():
            present.extend(
                int(self.token_base[s]) + j - 1
                for j in range(1, min(k, int(self.token_max[s])) + 1)
            )
            absent += max(k - int(self.token_max[s]), 0)  # no name has it: a miss for all
        allowed = allowed - absent
        top = int(allowed.max(initial=-1))
        out = np.zeros(words, dtype=np.uint64)
        if top < 0:
            return out
        # at_least[i]: the names missing at least i + 1 of the characters counted so far.
        at_least = [np.zeros(words, dtype=np.uint64) for _ in range(top + 1)]
        scratch = np.empty(words, dtype=np.uint64)
        for t in present:
            miss = np.invert(self.tokens[t])
            for i in range(top, 0, -1):
                np.bitwise_and(at_least[i - 1], miss, out=scratch)
                np.bitwise_or(at_least[i], scratch, out=at_least[i])
            np.bitwise_or(at_least[0], miss, out=at_least[0])
        for d in np.unique(allowed[allowed >= 0]).tolist():
            lengths = np.bitwise_or.reduce(self.by_length[allowed == d], axis=0)
            out |= lengths & np.invert(at_least[d])
        return out

    def possible(self, query: str, cutoff: float) -> IntArray:
        """Indices (ascending) of the names whose Jaro-Winkler similarity to ``query`` may
        reach ``cutoff``: exactly those whose common characters meet :func:`need_table`."""
        if not query or not self.names:
            return np.zeros(0, dtype=np.int64)
        la, max_len = len(query), len(self.by_length) - 1
        symbols = _symbol_counts(query)
        same = self._same_first(query)
        with_prefix = need_table(la, max_len, cutoff, True)
        ok = self._common(symbols, same) >= with_prefix[self.lengths[same]]
        need = need_table(la, max_len, cutoff, False)
        feasible = need <= np.minimum(la, np.arange(max_len + 1))
        others = _unpack(self._few_misses(symbols, np.where(feasible, la - need, -1)))
        if isinstance(same, slice):  # sorted: the range, then the others around it
            near = same.start + np.flatnonzero(ok)
            return np.concatenate([others[others < same.start], near, others[others >= same.stop]])
        out: IntArray = np.union1d(same[ok], others[self.first[others] != ord(query[0])])
        return out
