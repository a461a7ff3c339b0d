"""The brute-force oracle of the fuzzy name tests: every name scored."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from toex.web.names import MAX_CANDIDATES


def brute_candidates(query: str, names: list[str], cutoff: float) -> list[str]:
    """``names`` within Jaro-Winkler ``cutoff`` of ``query``, best first, at most
    :data:`~toex.web.names.MAX_CANDIDATES`, scoring every name."""
    return [
        n
        for n, _s, _i in process.extract(
            query,
            names,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff,
            limit=MAX_CANDIDATES,
        )
    ]
