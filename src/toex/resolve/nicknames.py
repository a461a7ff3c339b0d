"""The shipped forename nickname/diminutive table and the name groups derived from it.

``data/nicknames.csv`` holds ``name,variant`` pairs (William,Bill; Margaret,Peggy...); its
source is described in ``docs/resolve.md``. A forename's *groups* are the canonical names it
belongs to: itself when it is a canonical name, plus the canonical name of every pair it is a
variant in. Two forenames are nickname-equivalent when their groups intersect.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """The shipped ``(name, variant)`` pairs, upper case."""
    text = resources.files("toex.resolve").joinpath("data/nicknames.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple((r["name"].strip().upper(), r["variant"].strip().upper()) for r in rows)


@cache
def _groups_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for name, variant in nickname_pairs():
        index.setdefault(name, set()).add(name)
        index.setdefault(variant, set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


def forename_groups(forename: str | None) -> list[str]:
    """The sorted canonical groups of a normalised forename (``["WILLIAM"]`` for BILL).

    A name absent from the table is its own single group; None gives an empty list.
    """
    if not forename:
        return []
    return sorted(_groups_index().get(forename, frozenset({forename})))


def nickname_equivalent(a: str | None, b: str | None) -> bool:
    """Whether two forenames share a nickname group (BILL and LIAM do; BILL and BOB do not)."""
    return bool(set(forename_groups(a)) & set(forename_groups(b)))


@cache
def _members_index() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for name, variant in nickname_pairs():
        members.setdefault(name, {name}).add(variant)
    return {k: frozenset(v) for k, v in members.items()}


def forename_variants(forename: str | None) -> list[str]:
    """Every name of every group of a forename, itself included, sorted (BILL: WILLIAM and
    all its diminutives; a name absent from the table: itself)."""
    if not forename:
        return []
    index = _members_index()
    out = {forename}
    for group in forename_groups(forename):
        out |= index.get(group, frozenset({group}))
    return sorted(out)
