"""The candidate index finds exactly the names a brute-force Jaro-Winkler scan finds, on
names drawn as the synthetic generator writes them (with its typos and nicknames)."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from toex.web.candidates import CandidateIndex, need_table
from toex.web.names import (
    FORENAME_CUTOFF,
    SURNAME_CUTOFF,
    LetterBounds,
    NameIndex,
    normalise_name,
)

from .name_oracle import brute_candidates

CUTOFFS = (FORENAME_CUTOFF, SURNAME_CUTOFF, 0.75)


@functools.cache
def _synth_names() -> tuple[list[str], list[str], list[str]]:
    """Forenames, surnames (the generator's vocabularies plus one- and two-edit typos, as
    its records carry them) and queries (names, typos, nicknames, shortened forenames)."""
    from toex.synth.names import build_namebook, load_nicknames
    from toex.synth.people import name_locales
    from toex.synth.rates import load_rates
    from toex.synth.variations import typo

    rates = load_rates()
    book = build_namebook(tuple(name_locales(rates)), float(rates.data["first_name_zipf"]))
    rng = random.Random(17)

    def variants(vocab: list[str], n: int) -> list[str]:
        base = sorted({normalise_name(v) for v in vocab} - {""})
        out = set(rng.sample(base, min(len(base), n // 2)))
        while len(out) < n:
            name = rng.choice(base)
            for _ in range(rng.choice((1, 1, 2))):
                name = typo(name, rng.random(), rng.random(), rng.random())
            if normalise_name(name):
                out.add(normalise_name(name))
        return sorted(out)

    forenames = variants([str(x) for x in book.forenames], 2500)
    surnames = variants([str(x) for x in book.surnames], 4000)
    nicknames = [normalise_name(n) for group in load_nicknames().values() for n in group]
    queries = rng.sample(forenames, 120) + rng.sample(surnames, 120)
    queries += [normalise_name(typo(q, rng.random(), rng.random(), rng.random())) for q in queries]
    queries += rng.sample(sorted(set(nicknames) - {""}), 40)
    queries += [f[:3] + f[-1] for f in rng.sample(forenames, 40) if len(f) > 3]
    queries += ["A", "AL", "MC DONALD", "SMITH-JONES", "O NEIL", "ZZZZZZZZZZZZ", "É"]
    return forenames, surnames, [q for q in queries if q]


@pytest.mark.parametrize("kind", ["f", "s"])
def test_candidates_match_a_brute_force_scan_of_generated_names(kind: str) -> None:
    forenames, surnames, queries = _synth_names()
    names = forenames if kind == "f" else surnames
    index = NameIndex(forenames, surnames, {}, {})
    index.prepare()
    for query in queries:
        for cutoff in CUTOFFS:
            assert index._close(kind, names, query, cutoff) == brute_candidates(
                query, names, cutoff
            ), (
                query,
                cutoff,
            )


def test_the_index_finds_exactly_the_names_the_letter_counts_allow() -> None:
    _, surnames, queries = _synth_names()
    index, bounds = CandidateIndex.of(surnames), LetterBounds.of(surnames)
    for query in queries:
        found = set(index.possible(query, SURNAME_CUTOFF).tolist())
        # The linear filter's bound allows the largest prefix bonus for every length; the
        # index allows only the prefix the lengths permit, so it lets through no more.
        assert found <= set(bounds.possible(query, SURNAME_CUTOFF).tolist()), query
        close = {
            i
            for i, n in enumerate(surnames)
            if JaroWinkler.normalized_similarity(query, n) >= SURNAME_CUTOFF
        }
        assert close <= found, query
        assert len(found) < len(surnames) / 10


NAME = st.text(alphabet="ABEHINOST -É", min_size=1, max_size=14)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(NAME, min_size=1, max_size=150, unique=True), query=NAME)
def test_unsorted_names_are_searched_as_sorted_ones(names: list[str], query: str) -> None:
    sorted_index, shuffled = CandidateIndex.of(sorted(names)), list(names)
    random.Random(len(names)).shuffle(shuffled)
    by_hand = CandidateIndex.of(shuffled)
    for cutoff in (0.5, SURNAME_CUTOFF, FORENAME_CUTOFF):
        a = {sorted(names)[i] for i in sorted_index.possible(query, cutoff).tolist()}
        b = {shuffled[i] for i in by_hand.possible(query, cutoff).tolist()}
        assert a == b
        close = {n for n in names if JaroWinkler.normalized_similarity(query, n) >= cutoff}
        assert close <= a


def test_need_table_and_empty_index() -> None:
    need = need_table(5, 10, SURNAME_CUTOFF, False)
    assert need[5] == 4 and need[1] == 6  # one of five may be missed; a 1-letter name never
    assert need_table(5, 10, SURNAME_CUTOFF, True)[5] <= need[5]
    assert CandidateIndex.of([]).possible("SMITH", SURNAME_CUTOFF).tolist() == []
    assert CandidateIndex.of(["SMITH"]).possible("", SURNAME_CUTOFF).tolist() == []
    assert np.array_equal(CandidateIndex.of(["SMITH"]).possible("SMITH", 0.86), [0])
