"""Ranking the persons a name search finds, without ranking them all.

The search index (:mod:`toex.web.searchindex`) keeps, besides its rows sorted by surname,
forename and person, the distinct (person, marking) of each surname and of each forename
sorted by person (:func:`by_person`). A search scores a few dozen candidate names; each one's
rows are then a run of persons in ascending order, and :func:`rank_segments` finds the best
persons and counts them all from those runs: best score first, the persons not seen before
are counted and marked (one boolean per person), and only the first few of each run are
merged for the top of the list. Nothing is sorted in proportion to a common name's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class PersonScores:
    """Persons (by code) meeting a name search, with each one's best score."""

    persons: IntArray
    scores: FloatArray


#: One run of rows of a scored name: its score, persons (ascending) and their markings.
Segment = tuple[float, IntArray, IntArray]


def ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """The row numbers ``starts[i]:stops[i]`` of every range, concatenated."""
    sizes = stops - starts
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out: IntArray = np.repeat(starts - before, sizes) + np.arange(int(sizes.sum()))
    return out


def offsets(sorted_codes: IntArray, n_codes: int) -> IntArray:
    """``out[c]:out[c+1]`` is the slice of ``sorted_codes`` equal to ``c`` (codes 0..n)."""
    out: IntArray = np.searchsorted(sorted_codes, np.arange(n_codes + 2), side="left").astype(
        np.int64
    )
    return out


def by_person(codes: IntArray, p: IntArray, k: IntArray, n_codes: int) -> tuple[IntArray, ...]:
    """The distinct (person, marking) of each name code's rows, sorted by person: persons,
    markings and offsets per code (``out[c]:out[c+1]``)."""
    order = np.lexsort((k, p, codes))
    c, pp, kk = codes[order], p[order], k[order]
    keep = np.ones(len(c), dtype=bool)
    keep[1:] = (c[1:] != c[:-1]) | (pp[1:] != pp[:-1]) | (kk[1:] != kk[:-1])
    return pp[keep], kk[keep], offsets(c[keep], n_codes)


def best_per_person(persons: IntArray, score: FloatArray, limit: int) -> tuple[PersonScores, int]:
    """The best ``limit`` persons (by best score, then code) of scored rows, and how many
    persons the rows hold (for the few rows of a full-name search: a sort of them)."""
    order = np.lexsort((-score, persons))
    persons, score = persons[order], score[order]
    first = np.ones(len(persons), dtype=bool)
    first[1:] = persons[1:] != persons[:-1]
    persons, score = persons[first], score[first]
    ranked = np.lexsort((persons, -score))[:limit]
    return PersonScores(persons[ranked], score[ranked]), len(persons)


def rank_segments(
    segments: list[Segment], permitted: npt.NDArray[np.bool_], n_persons: int, limit: int
) -> tuple[PersonScores, int]:
    """The best ``limit`` persons of ``segments`` by best score (then person code), with
    their scores, and how many persons they hold, counting permitted rows only.

    Segments are taken best score first; each one's persons not seen before are counted
    (they are sorted: distinct neighbours) and marked seen, one boolean per person, so the
    count is exact without sorting a common surname's rows, and only the pages of the
    persons involved are touched. The persons first reached at a score are merged from the
    first few of each of its segments, until ``limit`` are found."""
    levels: dict[float, list[IntArray]] = {}
    everything = bool(permitted.all())
    for score, persons, marks in segments:
        kept = persons if everything else persons[permitted[marks]]
        if len(kept):
            levels.setdefault(score, []).append(kept)
    seen = np.zeros(n_persons, dtype=bool)
    top: list[IntArray] = []
    scores: list[FloatArray] = []
    total = n_top = 0
    for score in sorted(levels, reverse=True):
        firsts = []
        for persons in levels[score]:
            fresh = persons[~seen[persons]]
            if not len(fresh):
                continue
            distinct = np.ones(len(fresh), dtype=bool)
            distinct[1:] = fresh[1:] != fresh[:-1]
            fresh = fresh[distinct]
            total += len(fresh)
            seen[fresh] = True
            if n_top < limit:
                firsts.append(fresh[: limit - n_top])
        if firsts:
            chosen = np.sort(np.concatenate(firsts))[: limit - n_top].astype(np.int64)
            n_top += len(chosen)
            top.append(chosen)
            scores.append(np.full(len(chosen), score, dtype=np.float64))
    found = PersonScores(
        np.concatenate(top) if top else np.zeros(0, dtype=np.int64),
        np.concatenate(scores) if scores else np.zeros(0, dtype=np.float64),
    )
    return found, total
