"""Fuzzy name candidates: the letter-count pre-filter changes nothing, it only skips names
that cannot reach the cutoff."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from toex.web.names import (
    FORENAME_CUTOFF,
    SURNAME_CUTOFF,
    LetterBounds,
    NameIndex,
)

from .name_oracle import brute_candidates

NAME = st.text(alphabet="ABEHINOST -", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(NAME, min_size=1, max_size=200, unique=True), query=NAME)
def test_candidates_are_those_of_scoring_every_name(names: list[str], query: str) -> None:
    names = sorted(names)
    index = NameIndex(names, names, {}, {})
    for kind, cutoff in (("f", FORENAME_CUTOFF), ("s", SURNAME_CUTOFF), ("s", 0.5)):
        assert index._close(kind, names, query, cutoff) == brute_candidates(query, names, cutoff)


def test_the_bound_lets_through_every_close_name_and_few_others() -> None:
    rng = random.Random(5)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    names = sorted({"".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(5000)})
    bounds = LetterBounds.of(names)
    for query in rng.sample(names, 50):
        allowed = set(bounds.possible(query, SURNAME_CUTOFF).tolist())
        close = {
            i
            for i, n in enumerate(names)
            if JaroWinkler.normalized_similarity(query, n) >= SURNAME_CUTOFF
        }
        assert close <= allowed
        assert len(allowed) < len(names) / 20


def test_no_names_and_odd_names() -> None:
    assert LetterBounds.of([]).possible("SMITH", 0.86).tolist() == []
    index = NameIndex(["É", "O'NEIL", "X" * 300], ["É", "O'NEIL", "X" * 300], {}, {})
    for query in ("E", "ONEIL", "X" * 299):
        assert index._close("s", index.surnames, query, 0.86) == brute_candidates(
            query, index.surnames, 0.86
        )
