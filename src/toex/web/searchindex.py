"""The name search index of one snapshot: integer-coded arrays, built once.

Searching a common surname in millions of mentions must not read tens of thousands of rows
through SQL and Python per request. When a snapshot's web index is built, every resolved
mention's normalised forename, surname, person and markings (force, handling code,
classification) are coded as integers (codes follow the sorted order of the values, 0
meaning none) and kept in numpy arrays sorted by surname, forename and person, with offsets
per surname code and a permutation sorted by forename; and, per surname and per forename,
the distinct (person, marking) pairs sorted by person. A name search then:

1. turns the query into scored candidate names (:class:`~toex.web.names.NameIndex`: exact,
   nickname groups, Double Metaphone, Jaro-Winkler neighbours; a few dozen names);
2. takes the rows holding them: for a full name, the rows of each scored (surname,
   forename) pair, found by a binary search within the surname's rows; for one word, each
   scored name's (person, marking) run;
3. keeps the rows whose marking the user's scope permits (one boolean per distinct marking,
   from :func:`toex.web.data.filters.permitted_markings`, the one access rule);
4. ranks the best persons and counts them all (:mod:`toex.web.ranking`), vectorised.

The arrays are 64-bit integers: at most nine per mention (the four codes and the forename
order, and the (person, marking) pairs of its surname and forename, fewer where a person's
mentions repeat them), at most 360 MB at five million mentions, plus the person ids. They
are built once per snapshot (:meth:`SearchIndex.build`, DuckDB to numpy and Arrow with no
per-row Python), saved beside the snapshot (:meth:`SearchIndex.save`; see
:mod:`toex.web.webindex`) and memory-mapped by every worker (:meth:`SearchIndex.load`), so
the processes share one copy in the page cache. Only the distinct names with their nickname
and phonetic keys are Python objects per worker.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from toex.web.names import NameIndex
from toex.web.ranking import (
    FloatArray,
    IntArray,
    PersonScores,
    Segment,
    best_per_person,
    by_person,
    offsets,
    ranges,
    rank_segments,
)

__all__ = ["ARRAYS", "PersonScores", "SearchIndex"]

#: Builds the coded rows from the read model's ``web_mention`` (see ``toex.web.warehouse``).
CODES_SQL = """
WITH s AS (SELECT surname, row_number() OVER (ORDER BY surname) AS code
           FROM (SELECT DISTINCT surname FROM web_mention WHERE surname <> '')),
     f AS (SELECT forename, row_number() OVER (ORDER BY forename) AS code
           FROM (SELECT DISTINCT forename FROM web_mention WHERE forename <> '')),
     p AS (SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS code
           FROM (SELECT DISTINCT person_id FROM web_mention)),
     k AS (SELECT force, handling_code, classification,
                  row_number() OVER (ORDER BY force, handling_code, classification) - 1 AS code
           FROM (SELECT DISTINCT force, handling_code, classification FROM web_mention))
SELECT coalesce(s.code, 0)::INTEGER AS s, coalesce(f.code, 0)::INTEGER AS f,
       p.code::INTEGER AS p, k.code::INTEGER AS k
FROM web_mention m
LEFT JOIN s ON s.surname = m.surname
LEFT JOIN f ON f.forename = m.forename
JOIN p ON p.person_id = m.person_id
JOIN k ON k.force IS NOT DISTINCT FROM m.force
      AND k.handling_code IS NOT DISTINCT FROM m.handling_code
      AND k.classification IS NOT DISTINCT FROM m.classification
ORDER BY 1, 2, 3
"""


def _remap(codes: IntArray, old: list[str], new: list[str]) -> IntArray:
    """Codes into ``old`` (1-based, 0 none) turned into codes into ``new``."""
    position = {name: i + 1 for i, name in enumerate(new)}
    table = np.array([0] + [position[name] for name in old], dtype=np.int64)
    out: IntArray = table[codes]
    return out


#: A scored surname with at most this many rows is read whole in a full-name search.
_FEW_ROWS = 64


@dataclass
class SearchIndex:
    """Coded mention rows of one snapshot, sorted by surname (see the module docstring)."""

    names: NameIndex
    forename_code: dict[str, int]
    surname_code: dict[str, int]
    person_ids: pa.Array
    markings: list[tuple[str, str, str]]
    s: IntArray
    f: IntArray
    p: IntArray
    k: IntArray
    s_start: IntArray
    f_order: IntArray
    f_start: IntArray
    #: Distinct (person, marking) per surname and per forename, sorted by person.
    sp: IntArray
    sk: IntArray
    sp_start: IntArray
    fp: IntArray
    fk: IntArray
    fp_start: IntArray

    @classmethod
    def build(cls, cur: Any) -> SearchIndex:
        """Code the read model's ``web_mention`` rows (one pass in DuckDB)."""
        persons = (
            cur.execute("SELECT DISTINCT person_id FROM web_mention ORDER BY 1")
            .to_arrow_table()
            .column(0)
            .combine_chunks()
        )
        markings = [
            (str(a), str(b), str(c))
            for a, b, c in cur.execute(
                "SELECT DISTINCT force, handling_code, classification FROM web_mention "
                "ORDER BY 1, 2, 3"
            ).fetchall()
        ]
        cols = cur.execute(CODES_SQL).fetchnumpy()
        s, f, p, k = (np.asarray(cols[c], dtype=np.int64) for c in ("s", "f", "p", "k"))
        duck = {
            col: [
                r[0]
                for r in cur.execute(
                    f"SELECT DISTINCT {col} FROM web_mention WHERE {col} <> '' ORDER BY 1"
                ).fetchall()
            ]
            for col in ("forename", "surname")
        }
        names = NameIndex.from_names(duck["forename"], duck["surname"])
        # Codes follow DuckDB's order; the name lists Python's: remap should they differ.
        if duck["surname"] != names.surnames or duck["forename"] != names.forenames:
            s = _remap(s, duck["surname"], names.surnames)
            f = _remap(f, duck["forename"], names.forenames)
            order = np.lexsort((p, f, s))
            s, f, p, k = s[order], f[order], p[order], k[order]
        forenames, surnames = names.forenames, names.surnames
        f_order = np.argsort(f, kind="stable").astype(np.int64)
        sp, sk, sp_start = by_person(s, p, k, len(surnames))
        fp, fk, fp_start = by_person(f, p, k, len(forenames))
        return cls(
            names=names,
            forename_code={n: i + 1 for i, n in enumerate(forenames)},
            surname_code={n: i + 1 for i, n in enumerate(surnames)},
            person_ids=persons,
            markings=markings,
            s=s,
            f=f,
            p=p,
            k=k,
            s_start=offsets(s, len(surnames)),
            f_order=f_order,
            f_start=offsets(f[f_order], len(forenames)),
            sp=sp,
            sk=sk,
            sp_start=sp_start,
            fp=fp,
            fk=fk,
            fp_start=fp_start,
        )

    @classmethod
    def empty(cls) -> SearchIndex:
        """An index of no rows (the snapshot has no resolved mentions)."""
        none = np.zeros(0, dtype=np.int64)
        return cls(
            NameIndex([], [], {}, {}),
            {},
            {},
            pa.array([], pa.string()),
            [],
            none,
            none,
            none,
            none,
            np.zeros(2, dtype=np.int64),
            none,
            np.zeros(2, dtype=np.int64),
            none,
            none,
            np.zeros(2, dtype=np.int64),
            none,
            none,
            np.zeros(2, dtype=np.int64),
        )

    def _scored(self, lookup: dict[str, int], scored: Mapping[str, float]) -> dict[int, float]:
        return {lookup[n]: s for n, s in scored.items() if n in lookup and s > 0}

    @staticmethod
    def _lookup(scored: dict[int, float], codes: IntArray) -> FloatArray:
        """The score of each of ``codes`` in ``scored`` (0 when absent): a binary search in
        the few scored codes, so a request costs nothing per distinct name."""
        if not scored or not len(codes):
            return np.zeros(len(codes), dtype=np.float64)
        keys = np.array(sorted(scored), dtype=np.int64)
        values = np.array([scored[k] for k in keys.tolist()], dtype=np.float64)
        pos = np.minimum(np.searchsorted(keys, codes), len(keys) - 1)
        out: FloatArray = np.where(keys[pos] == codes, values[pos], 0.0)
        return out

    def _surname_rows(self, codes: Iterable[int]) -> IntArray:
        parts = [np.arange(self.s_start[c], self.s_start[c + 1]) for c in sorted(codes)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _forename_rows(self, codes: Iterable[int]) -> IntArray:
        parts = [self.f_order[self.f_start[c] : self.f_start[c + 1]] for c in sorted(codes)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def name_scores(
        self,
        permitted: npt.NDArray[np.bool_],
        forenames: Mapping[str, float],
        surnames: Mapping[str, float],
        word_as_forename: Mapping[str, float] | None = None,
    ) -> PersonScores:
        """Each person's best name score over their permitted rows.

        With a forename, a row scores ``(forename + surname) / 2`` when both of its names are
        scored candidates. With a single word (``forenames`` empty), a row scores the best of
        its surname's score in ``surnames`` and its forename's in ``word_as_forename``.
        ``permitted`` says, per marking code, whether the user may see the row.
        """
        s_scored = self._scored(self.surname_code, surnames)
        if forenames:
            f_scored = self._scored(self.forename_code, forenames)
            rows = self._surname_rows(s_scored)
            fs = self._lookup(f_scored, self.f[rows])
            ss = self._lookup(s_scored, self.s[rows])
            score = np.where((fs > 0) & (ss > 0), (fs + ss) / 2, 0.0)
        else:
            w_scored = self._scored(self.forename_code, word_as_forename or {})
            rows = np.union1d(self._surname_rows(s_scored), self._forename_rows(w_scored))
            score = np.maximum(
                self._lookup(s_scored, self.s[rows]), self._lookup(w_scored, self.f[rows])
            )
        keep = (score > 0) & permitted[self.k[rows]]
        persons, best = self.p[rows][keep], score[keep]
        if not len(persons):
            return PersonScores(persons, best)
        order = np.lexsort((-best, persons))
        persons, best = persons[order], best[order]
        first = np.ones(len(persons), dtype=bool)
        first[1:] = persons[1:] != persons[:-1]
        return PersonScores(persons[first], best[first])

    def top_scores(
        self,
        permitted: npt.NDArray[np.bool_],
        forenames: Mapping[str, float],
        surnames: Mapping[str, float],
        word_as_forename: Mapping[str, float] | None = None,
        limit: int = 50,
    ) -> tuple[PersonScores, int]:
        """The best ``limit`` persons of :meth:`name_scores` (by score, then person code)
        and how many persons it finds, reading only the rows that hold the scored names.

        With a forename, the rows of each scored (surname, forename) pair
        (:meth:`_top_pairs`); with one word, the distinct (person, marking) runs of each
        scored surname and forename, sorted by person (:func:`rank_segments`)."""
        s_scored = self._scored(self.surname_code, surnames)
        if forenames:
            return self._top_pairs(permitted, s_scored, forenames, limit)
        segments: list[Segment] = []
        w_scored = self._scored(self.forename_code, word_as_forename or {})
        for scored, start, persons, marks in (
            (s_scored, self.sp_start, self.sp, self.sk),
            (w_scored, self.fp_start, self.fp, self.fk),
        ):
            for code, score in sorted(scored.items()):
                rows = slice(int(start[code]), int(start[code + 1]))
                if rows.stop > rows.start:
                    segments.append((score, persons[rows], marks[rows]))
        return rank_segments(segments, permitted, len(self.person_ids), limit)

    def _top_pairs(
        self,
        permitted: npt.NDArray[np.bool_],
        s_scored: dict[int, float],
        forenames: Mapping[str, float],
        limit: int,
    ) -> tuple[PersonScores, int]:
        """:meth:`top_scores` of a forename and a surname. The rows are sorted by surname,
        forename and person, so a common scored surname's rows of each scored forename are
        found by a binary search within its rows (its other rows are never read); the few
        rows of the rare ones (typing variants, mostly) are read together and their
        forenames looked up. The rows found are ranked at once."""
        f_scored = self._scored(self.forename_code, forenames)
        codes = np.array(sorted(s_scored), dtype=np.int64)
        if not f_scored or not len(codes):
            return PersonScores(np.zeros(0, np.int64), np.zeros(0, np.float64)), 0
        s_values = np.array([s_scored[c] for c in codes.tolist()], dtype=np.float64)
        lo, hi = self.s_start[codes], self.s_start[codes + 1]
        small = hi - lo <= _FEW_ROWS
        rows_parts, score_parts = [], []
        rows = ranges(lo[small], hi[small])
        if len(rows):
            f_score = self._lookup(f_scored, self.f[rows])
            s_score = np.repeat(s_values[small], (hi - lo)[small])
            hit = f_score > 0
            rows_parts.append(rows[hit])
            score_parts.append((f_score[hit] + s_score[hit]) / 2)
        f_codes = np.array(sorted(f_scored), dtype=np.int64)
        f_values = np.array([f_scored[c] for c in f_codes.tolist()], dtype=np.float64)
        for a, b, s_score in zip(
            lo[~small].tolist(), hi[~small].tolist(), s_values[~small].tolist(), strict=True
        ):
            within = self.f[a:b]
            first = np.searchsorted(within, f_codes, side="left")
            last = np.searchsorted(within, f_codes, side="right")
            run = ranges(a + first, a + last)
            rows_parts.append(run)
            score_parts.append(np.repeat((f_values + s_score) / 2, last - first))
        if not rows_parts:
            return PersonScores(np.zeros(0, np.int64), np.zeros(0, np.float64)), 0
        rows = np.concatenate(rows_parts)
        keep = permitted[self.k[rows]]
        persons, score = self.p[rows][keep], np.concatenate(score_parts)[keep]
        return best_per_person(persons, score, limit)

    def suggest(self, permitted: npt.NDArray[np.bool_], prefix: str, limit: int = 10) -> list[str]:
        """Up to ``limit`` full names (forename surname) of permitted rows whose surname or
        full name starts with ``prefix`` (normalised), most frequent first, then by name."""
        first, _, rest = prefix.partition(" ")
        parts = [self._surname_range(prefix)]
        if rest:  # "JOHN SM": the forename JOHN and a surname starting SM
            code = self.forename_code.get(first)
            if code is not None:
                rows = self._forename_rows([code])
                surnames = self.surnames_sorted
                lo, hi = self._prefix_codes(surnames, rest)
                parts.append(rows[(self.s[rows] >= lo) & (self.s[rows] < hi)])
        else:  # a forename starting with the prefix
            lo, hi = self._prefix_codes(self.forenames_sorted, prefix)
            parts.append(self.f_order[self.f_start[lo] : self.f_start[hi]])
        rows = np.unique(np.concatenate(parts))
        rows = rows[permitted[self.k[rows]]] if len(permitted) else rows[:0]
        if not len(rows):
            return []
        width = len(self.surname_code) + 1
        keys, counts = np.unique(self.f[rows] * width + self.s[rows], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        cut = counts[order[min(limit, len(order)) - 1]]
        named = [
            (-int(n), self._full_name(int(key) // width, int(key) % width))
            for key, n in zip(keys, counts, strict=True)
            if n >= cut
        ]
        return [name for _, name in sorted(named)[:limit]]

    def _full_name(self, f: int, s: int) -> str:
        names = (
            self.forenames_sorted[f - 1] if f else "",
            self.surnames_sorted[s - 1] if s else "",
        )
        return " ".join(n for n in names if n)

    def _surname_range(self, prefix: str) -> IntArray:
        lo, hi = self._prefix_codes(self.surnames_sorted, prefix)
        return np.arange(self.s_start[lo], self.s_start[hi])

    @staticmethod
    def _prefix_codes(names: list[str], prefix: str) -> tuple[int, int]:
        """The codes [lo, hi) of the sorted ``names`` starting with ``prefix``."""
        lo = bisect.bisect_left(names, prefix)
        hi = bisect.bisect_left(names, prefix + "\U0010ffff")
        return lo + 1, hi + 1

    @property
    def forenames_sorted(self) -> list[str]:
        """The distinct forenames; code ``c`` is ``forenames_sorted[c - 1]``."""
        return self.names.forenames

    @property
    def surnames_sorted(self) -> list[str]:
        """The distinct surnames; code ``c`` is ``surnames_sorted[c - 1]``."""
        return self.names.surnames

    def ids(self, codes: IntArray) -> list[str]:
        """The person ids of person codes."""
        return [str(x) for x in self.person_ids.take(pa.array(codes, pa.int64())).to_pylist()]

    def save(self, directory: Path, write: Callable[[Path, bytes], None]) -> None:
        """Write the index into ``directory``: one ``.npy`` file per array, the person ids as
        an Arrow IPC file, the names, their keys and the markings as JSON. ``write(path,
        data)`` creates each file (the cache writes them owner-only and synced)."""
        for name in ARRAYS:
            arr = np.ascontiguousarray(getattr(self, name), dtype=np.int64)
            header = _npy_header(arr)
            write(directory / f"{name}.npy", header + arr.tobytes())
        sink = pa.BufferOutputStream()
        table = pa.table({"person_id": self.person_ids})
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        write(directory / PERSONS_FILE, sink.getvalue().to_pybytes())
        names = {
            "forenames": self.names.forenames,
            "surnames": self.names.surnames,
            "forename_by_group": {g: sorted(v) for g, v in self.names.forename_by_group.items()},
            "surname_by_key": {k: sorted(v) for k, v in self.names.surname_by_key.items()},
            "markings": self.markings,
        }
        write(directory / NAMES_FILE, json.dumps(names, separators=(",", ":")).encode())

    @classmethod
    def load(cls, directory: Path) -> SearchIndex:
        """The index saved in ``directory``, its arrays memory-mapped read-only (pages are
        read on use and shared with every other process mapping the same files)."""
        arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r")) for name in ARRAYS
        }
        for name, arr in arrays.items():
            if arr.dtype != np.int64 or arr.ndim != 1:
                raise ValueError(f"{name}.npy is not a vector of int64")
        source = pa.memory_map(str(directory / PERSONS_FILE), "r")
        persons = pa.ipc.open_file(source).read_all().column(0).combine_chunks()
        saved = json.loads((directory / NAMES_FILE).read_text(encoding="utf-8"))
        forenames: list[str] = saved["forenames"]
        surnames: list[str] = saved["surnames"]
        names = NameIndex(
            forenames,
            surnames,
            {g: set(v) for g, v in saved["forename_by_group"].items()},
            {k: set(v) for k, v in saved["surname_by_key"].items()},
        )
        n = len(arrays["s"])
        if (
            not all(len(arrays[c]) == n for c in ("f", "p", "k", "f_order"))
            or len(arrays["s_start"]) != len(surnames) + 2
            or len(arrays["sp_start"]) != len(surnames) + 2
            or len(arrays["fp_start"]) != len(forenames) + 2
            or len(arrays["sp"]) != len(arrays["sk"])
            or len(arrays["fp"]) != len(arrays["fk"])
        ):
            raise ValueError("the saved search index's arrays do not agree")
        return cls(
            names=names,
            forename_code={name: i + 1 for i, name in enumerate(forenames)},
            surname_code={name: i + 1 for i, name in enumerate(surnames)},
            person_ids=persons,
            markings=[(str(a), str(b), str(c)) for a, b, c in saved["markings"]],
            **arrays,
        )


#: The integer arrays of :class:`SearchIndex`, one ``.npy`` file each.
ARRAYS = (
    "s", "f", "p", "k", "s_start", "f_order", "f_start",
    "sp", "sk", "sp_start", "fp", "fk", "fp_start",
)  # fmt: skip
PERSONS_FILE = "persons.arrow"
NAMES_FILE = "names.json"


def _npy_header(arr: npt.NDArray[Any]) -> bytes:
    """The ``.npy`` header of ``arr`` (format 1.0), as ``np.save`` writes it."""
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
    return buf.getvalue()
