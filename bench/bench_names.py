"""Micro-benchmark of name search at the large scale, old method against new in one run.

Builds large-scale distinct name lists (the synthetic generator's vocabularies plus one- and
two-edit typos, as its records carry them: about 65,000 forenames and 137,000 surnames at
five million mentions) or reads them from a snapshot's web index (``--names-json``), then
times, per query word (full names, nicknames, surnames alone, shortened forenames and
misspellings, drawn by the names' frequency):

* **candidates**: the Jaro-Winkler neighbours of one word, scanning every name's letter
  counts (``names.LetterBounds``, the previous method) against the candidate index
  (``toex.web.candidates``), both followed by the same rapidfuzz scoring; the two must
  return the same names;
* **ranking** (``--rows N``, 0 to skip): a whole name search over N coded mention rows with
  the generator's surname and forename frequencies, ranking every person found and keeping
  the best 20 (``SearchIndex.name_scores``, previous) against ``SearchIndex.top_scores``;
  both must return the same persons, scores and total.

Prints p50/p95 per method and the ratio, with the load average (the machine is shared).

    .venv/bin/python -m bench.bench_names [--forenames 65000] [--surnames 137000] [--rows 5000000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from toex.synth.names import build_namebook, load_nicknames
from toex.synth.people import name_locales
from toex.synth.rates import load_rates
from toex.synth.variations import typo
from toex.web.names import (
    FORENAME_CUTOFF,
    MAX_CANDIDATES,
    SURNAME_CUTOFF,
    LetterBounds,
    NameIndex,
    normalise_name,
)
from toex.web.ranking import by_person, offsets
from toex.web.searchindex import SearchIndex


def _vocab() -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """British forenames and surnames with their frequency weights (the generator's)."""
    rates = load_rates()
    book = build_namebook(tuple(name_locales(rates)), float(rates.data["first_name_zipf"]))
    loc = book.locales["en_GB"]
    fore = np.concatenate([loc.male, loc.female])
    f_w = np.diff(np.concatenate([[0.0], loc.male_cdf])).tolist()
    f_w += np.diff(np.concatenate([[0.0], loc.female_cdf])).tolist()
    s_w = np.diff(np.concatenate([[0.0], loc.surname_cdf]))
    forenames = [normalise_name(str(book.forenames[i])) for i in fore]
    surnames = [normalise_name(str(book.surnames[i])) for i in loc.surname]
    return forenames, np.array(f_w) / sum(f_w), surnames, s_w / s_w.sum()


def _with_typos(base: list[str], target: int, rng: random.Random) -> list[str]:
    out = {b for b in base if b}
    while len(out) < target:
        name = rng.choice(base)
        for _ in range(rng.choice((1, 1, 2))):
            name = typo(name, rng.random(), rng.random(), rng.random())
        if normalise_name(name):
            out.add(normalise_name(name))
    return sorted(out)


def _queries(
    vocab: tuple[list[str], np.ndarray, list[str], np.ndarray], n: int, rng: random.Random
) -> list[str]:
    """Search names: as written, with a nickname, shortened forename, surname alone, typo."""
    forenames, f_w, surnames, s_w = vocab
    nick = load_nicknames()
    nicknames = {normalise_name(k): [normalise_name(x) for x in v] for k, v in nick.items()}
    np_rng = np.random.default_rng(rng.randrange(1 << 30))
    fs = np_rng.choice(len(forenames), size=n, p=f_w)
    ss = np_rng.choice(len(surnames), size=n, p=s_w)
    out = []
    for i, (fi, si) in enumerate(zip(fs.tolist(), ss.tolist(), strict=True)):
        f, s = forenames[fi], surnames[si]
        kind = i % 5
        if kind == 1 and nicknames.get(f):
            f = rng.choice(nicknames[f])
        elif kind == 2 and len(f) > 3:
            f = f[:3] + f[-1]
        elif kind == 4:
            s = normalise_name(typo(s, rng.random(), rng.random(), rng.random())) or s
        out.append(s if kind == 3 else f"{f} {s}")
    return out


def _pcts(times: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in times)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def bench_candidates(
    forenames: list[str], surnames: list[str], words: list[tuple[str, str]]
) -> None:
    """Old and new Jaro-Winkler neighbours of each (kind, word), same answers required."""
    index = NameIndex(forenames, surnames, {}, {})
    start = time.perf_counter()
    index.prepare()
    print(f"candidate index built in {time.perf_counter() - start:.2f} s")
    bounds = {"f": LetterBounds.of(forenames), "s": LetterBounds.of(surnames)}
    lists = {"f": forenames, "s": surnames}
    cutoff = {"f": FORENAME_CUTOFF, "s": SURNAME_CUTOFF}
    old_t, new_t = [], []

    def old(kind: str, names: list[str], word: str) -> list[str]:
        choices = [names[i] for i in bounds[kind].possible(word, cutoff[kind]).tolist()]
        found = process.extract(
            word,
            choices,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff[kind],
            limit=MAX_CANDIDATES,
        )
        return [n for n, _s, _i in found]

    for kind, word in words:
        names = lists[kind]
        t_old, a = _timed(old, kind, names, word)
        t_new, b = _timed(index._close, kind, names, word, cutoff[kind])
        assert a == b, (kind, word)
        old_t.append(t_old)
        new_t.append(t_new)
    (o50, o95), (n50, n95) = _pcts(old_t), _pcts(new_t)
    print(
        f"candidates, {len(words)} words over {len(forenames):,} forenames / "
        f"{len(surnames):,} surnames: letter-count scan p50 {o50:.3f} p95 {o95:.3f} ms; "
        f"candidate index p50 {n50:.3f} p95 {n95:.3f} ms; ratio p50 {o50 / n50:.1f}x, "
        f"p95 {o95 / n95:.1f}x"
    )


def _coded_rows(
    vocab: tuple[list[str], np.ndarray, list[str], np.ndarray],
    forenames: list[str],
    surnames: list[str],
    rows: int,
    seed: int,
) -> SearchIndex:
    """A search index of ``rows`` mentions: names by frequency (3% of them a typo variant;
    a vocabulary name missing from the lists counts as the first name), a person per three
    mentions, 40 markings."""
    rng = np.random.default_rng(seed)
    base_f, f_w, base_s, s_w = vocab

    def codes(base: list[str], weights: np.ndarray, names: list[str]) -> np.ndarray:
        position = {n: i + 1 for i, n in enumerate(names)}
        table = np.array([position.get(b, 1) for b in base], dtype=np.int64)
        out = table[rng.choice(len(base), size=rows, p=weights)]
        varied = rng.random(rows) < 0.03
        out[varied] = rng.integers(1, len(names) + 1, int(varied.sum()))
        return out

    s, f = codes(base_s, s_w, surnames), codes(base_f, f_w, forenames)
    persons = rows // 3
    p, k = rng.integers(0, persons, rows), rng.integers(0, 40, rows)
    order = np.lexsort((p, f, s))
    s, f, p, k = s[order], f[order], p[order], k[order]
    f_order = np.argsort(f, kind="stable")
    sp, sk, sp_start = by_person(s, p, k, len(surnames))
    fp, fk, fp_start = by_person(f, p, k, len(forenames))
    index = SearchIndex(
        NameIndex.from_names(forenames, surnames),
        {n: i + 1 for i, n in enumerate(forenames)},
        {n: i + 1 for i, n in enumerate(surnames)},
        pa.array([f"P{i:08d}" for i in range(persons)]),
        [(f"force{i % 8}", "PC"[i % 2], "OFFICIAL") for i in range(40)],
        s, f, p, k, offsets(s, len(surnames)), f_order, offsets(f[f_order], len(forenames)),
        sp, sk, sp_start, fp, fk, fp_start,
    )  # fmt: skip
    index.names.prepare()
    return index


def _rank_all(index: SearchIndex, permitted: Any, f: Any, s: Any, w: Any) -> Any:
    found = index.name_scores(permitted, f, s, w)
    order = np.lexsort((found.persons, -found.scores))[:20]
    return found.persons[order], found.scores[order], len(found.persons)


def _rank_top(index: SearchIndex, permitted: Any, f: Any, s: Any, w: Any) -> Any:
    top, total = index.top_scores(permitted, f, s, w, 20)
    return top.persons, top.scores, total


def bench_ranking(index: SearchIndex, queries: list[str]) -> None:
    """Old (rank every person) against new (best 20 from person-sorted runs)."""
    names = index.names
    old_t, new_t = [], []
    for scope in ({f"force{i}" for i in range(8)}, {"force1", "force2", "force5"}):
        permitted = np.array([m[0] in scope for m in index.markings])
        for query in queries:
            first, _, last = query.rpartition(" ")
            surnames = names.surname_scores(last)
            forenames = names.forename_scores(first) if first else {}
            word = names.forename_scores(last) if not first else None

            t_old, a = _timed(_rank_all, index, permitted, forenames, surnames, word)
            t_new, b = _timed(_rank_top, index, permitted, forenames, surnames, word)
            assert a[2] == b[2] and np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
            old_t.append(t_old)
            new_t.append(t_new)
    kinds = [" " in q for q in queries] * 2
    for label, wanted in (("all", None), ("full names", True), ("one word", False)):
        old_k = [t for t, k in zip(old_t, kinds, strict=True) if wanted in (None, k)]
        new_k = [t for t, k in zip(new_t, kinds, strict=True) if wanted in (None, k)]
        (o50, o95), (n50, n95) = _pcts(old_k), _pcts(new_k)
        print(
            f"ranking ({label}), {len(old_k)} searches over {len(index.s):,} rows: rank "
            f"every person p50 {o50:.2f} p95 {o95:.2f} ms; top 20 from person runs p50 "
            f"{n50:.2f} p95 {n95:.2f} ms; ratio p50 {o50 / n50:.1f}x, p95 {o95 / n95:.1f}x"
        )


def main() -> None:
    """Parse arguments and run both benchmarks."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--forenames", type=int, default=65_000)
    ap.add_argument("--surnames", type=int, default=137_000)
    ap.add_argument("--names-json", type=Path, help="a web index's names.json to use instead")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--rows", type=int, default=5_000_000, help="coded rows (0: skip)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    rng = random.Random(args.seed)
    vocab = _vocab()
    if args.names_json:
        saved = json.loads(args.names_json.read_text(encoding="utf-8"))
        forenames, surnames = saved["forenames"], saved["surnames"]
    else:
        forenames = _with_typos(vocab[0], args.forenames, rng)
        surnames = _with_typos(vocab[2], args.surnames, rng)
    queries = _queries(vocab, args.queries, rng)
    words: list[tuple[str, str]] = []
    for q in queries:
        first, _, last = q.rpartition(" ")
        words += [("f", first), ("s", last)] if first else [("s", last), ("f", last)]
    bench_candidates(forenames, surnames, words)
    if args.rows:
        start = time.perf_counter()
        index = _coded_rows(vocab, forenames, surnames, args.rows, args.seed)
        print(f"{args.rows:,} coded rows built in {time.perf_counter() - start:.1f} s")
        bench_ranking(index, queries[:200])
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
