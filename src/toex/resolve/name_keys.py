"""Derived name keys, computed once per distinct value (not per mention).

* forename groups: nickname-equivalence classes from the shipped table, a forename's
  variants (every name of its groups), and the forenames of the data one edit from it or
  from one of its variants (by deletion keys, see :func:`deletion_keys`);
* surname Double Metaphone keys (primary and alternate);
* surname parts: the pieces of a hyphenated or double-barrelled surname
  (``SMITH-JONES`` and ``SMITH JONES`` give ``[JONES, SMITH]``);
* the nickname groups of the surname's first part, read as a forename (a record with the
  names swapped holds the forename in the surname field: ``KIELY / REBECCA``);
* name tokens: the groups of every word of the forename, middle names and surname, so that
  ``BECCA KIELY`` and ``KIELY REBECCA`` share ``REBECCA`` and ``KIELY``.

The lookups are built in Python over the distinct values and joined back set-wise.
"""

from __future__ import annotations

import re

import pyarrow as pa
from metaphone import doublemetaphone

from toex.resolve.nicknames import forename_groups, forename_variants

_SPLIT = re.compile(r"[\s\-]+")


def surname_metaphones(surname: str | None) -> list[str]:
    """The distinct non-empty Double Metaphone keys of a surname, sorted (``SMITH``: SM0, XMT)."""
    if not surname:
        return []
    keys = {k for k in doublemetaphone(surname.replace(" ", "").replace("-", "")) if k}
    return sorted(keys)


def surname_parts(surname: str | None) -> list[str]:
    """The parts of a surname, sorted: ``SMITH-JONES`` gives ``[JONES, SMITH]``, ``SMITH``
    gives ``[SMITH]``, so a double-barrelled name shares a part with each of its halves."""
    if not surname:
        return []
    return sorted({p for p in _SPLIT.split(surname) if p})


def name_words(name: str | None) -> list[str]:
    """The words of a name field in order (split on spaces and hyphens)."""
    if not name:
        return []
    return [p for p in _SPLIT.split(name) if p]


def deletion_keys(names: list[str]) -> list[str]:
    """The names and every string one deletion away from one of them, sorted.

    Two names are within one edit (insertion, deletion, substitution or swap of adjacent
    letters) when their deletion keys intersect: the symmetric-deletion test, an array
    intersection instead of an edit distance per pair.
    """
    out: set[str] = set()
    for n in names:
        out.add(n)
        out.update(n[:i] + n[i + 1 :] for i in range(len(n)))
    out.discard("")
    return sorted(out)


def delimited(values: list[str]) -> str:
    """``|A|B|C|``: a list as one string, so membership is a substring test
    (``contains(x, '|' || y || '|')``), much cheaper per pair than an array function."""
    return "|" + "|".join(values) + "|"


def one_edit_relation(forenames: list[str]) -> dict[str, list[str]]:
    """For each forename, the other given forenames one edit from it or from one of its
    nicknames, or from which it is one edit away (symmetric).

    Uses the symmetric-deletion test over an inverted index of deletion keys, so the work
    grows with the number of distinct forenames, not with the number of pairs.
    """
    index: dict[str, set[str]] = {}
    for g in forenames:
        for k in deletion_keys([g]):
            index.setdefault(k, set()).add(g)
    related: dict[str, set[str]] = {f: set() for f in forenames}
    for f in forenames:
        for k in deletion_keys(forename_variants(f)):
            for g in index.get(k, ()):
                if g != f:
                    related[f].add(g)
                    related[g].add(f)
    return {f: sorted(v) for f, v in related.items()}


TYPO_RATIO = 10
"""How many times as common a forename one edit away must be for a rarer forename to read
as a keying error of it (:func:`typo_like`)."""


def typo_like(counts: dict[str, int], ratio: int = TYPO_RATIO) -> set[str]:
    """The forenames of ``counts`` that read as keying errors (:func:`typo_targets`)."""
    return set(typo_targets(counts, ratio))


def typo_targets(counts: dict[str, int], ratio: int = TYPO_RATIO) -> dict[str, list[str]]:
    """The forenames of ``counts`` (forename -> mentions holding it) that read as keying
    errors: one edit (insertion, deletion, substitution or adjacent swap) from a forename
    at least ``ratio`` times as common that is not one of its nicknames (``SARANH`` next to
    ``SARAH``; not ``KARL`` next to ``CARL`` unless CARL is ten times as common).

    The classic spelling-correction signal: a typo is a rare string next to a common one.
    Symmetric deletion over an inverted index, so the work grows with the distinct names.
    Each typo maps to the commoner forenames it may have been meant as."""
    index: dict[str, set[str]] = {}
    for g in counts:
        for k in deletion_keys([g]):
            index.setdefault(k, set()).add(g)
    out: dict[str, list[str]] = {}
    for f, n in counts.items():
        nicks = set(forename_variants(f))
        meant = {
            g
            for k in deletion_keys([f])
            for g in index[k]
            if g != f and g not in nicks and counts[g] >= ratio * n
        }
        if meant:
            out[f] = sorted(meant)
    return out


def forename_lookup(forenames: list[str], counts: dict[str, int] | None = None) -> pa.Table:
    """A table ``forename, forename_groups, forename_variants, forename_nicks,
    forename_near, forename_typo, forename_typo_of`` for the given distinct forenames
    (``forename_nicks``:
    its variants, ``forename_near``: its half of the one-edit relation, both as
    :func:`delimited` strings; ``forename_typo``: whether it reads as a keying error of a
    much commoner forename, :func:`typo_like`, given the mention ``counts``;
    ``forename_typo_of``: the names it may have been meant as, with their nicknames).

    Each related pair of :func:`one_edit_relation` is held once, by the rarer of the two
    forenames (fewer mentions in ``counts``, then the name): a pair is related when either
    mention's ``forename_near`` holds the other's forename. Held by both, a common
    forename carried every typo of it and of its nicknames in the data on each of its
    mentions (about 2,600 characters per mention and 13 GB in all on the large set, which
    the scoring join copied for every pair); held by the rarer, the lists sit on the few
    mentions of rare spellings."""
    variants = [forename_variants(f) for f in forenames]
    rank = {f: ((counts or {}).get(f, 1), f) for f in forenames}
    near = {
        f: [g for g in related if rank[f] < rank[g]]
        for f, related in one_edit_relation(forenames).items()
    }
    typos = typo_targets({f: (counts or {}).get(f, 1) for f in forenames})
    return pa.table(
        {
            "forename": pa.array(forenames, pa.string()),
            "forename_groups": pa.array(
                [forename_groups(f) for f in forenames], pa.list_(pa.string())
            ),
            "forename_variants": pa.array(variants, pa.list_(pa.string())),
            "forename_nicks": pa.array([delimited(v) for v in variants], pa.string()),
            "forename_near": pa.array([delimited(near[f]) for f in forenames], pa.string()),
            "forename_typo": pa.array([f in typos for f in forenames], pa.bool_()),
            "forename_typo_of": pa.array(
                [
                    delimited(sorted({v for g in typos[f] for v in forename_variants(g)}))
                    if f in typos
                    else None
                    for f in forenames
                ],
                pa.string(),
            ),
        }
    )


def surname_lookup(surnames: list[str]) -> pa.Table:
    """A table of the keys of the given distinct surnames: ``surname_metaphones`` (list),
    ``surname_dm`` and ``surname_dm2`` (its first and last key), ``surname_parts``
    (list), ``surname_first`` and
    ``surname_last`` (its first and last word) and ``surname_first_groups`` (the
    nickname groups of the first word, read as a forename)."""
    keys = [surname_metaphones(s) for s in surnames]
    words = [name_words(s) for s in surnames]
    return pa.table(
        {
            "surname": pa.array(surnames, pa.string()),
            "surname_metaphones": pa.array(keys, pa.list_(pa.string())),
            "surname_dm": pa.array([k[0] if k else None for k in keys], pa.string()),
            "surname_dm2": pa.array([k[-1] if k else None for k in keys], pa.string()),
            "surname_parts": pa.array([surname_parts(s) for s in surnames], pa.list_(pa.string())),
            "surname_first": pa.array([w[0] if w else None for w in words], pa.string()),
            "surname_last": pa.array([w[-1] if w else None for w in words], pa.string()),
            "surname_first_groups": pa.array(
                [forename_groups(w[0]) if w else [] for w in words], pa.list_(pa.string())
            ),
        }
    )


def token_lookup(tokens: list[str]) -> pa.Table:
    """A table ``token, token_groups`` (the nickname groups of each distinct name word)."""
    return pa.table(
        {
            "token": pa.array(tokens, pa.string()),
            "token_groups": pa.array([forename_groups(t) for t in tokens], pa.list_(pa.string())),
        }
    )
