"""Derived name keys, computed once per distinct value (not per mention).

* forename groups: nickname-equivalence classes from the shipped table;
* surname Double Metaphone keys (primary and alternate);
* surname parts: the pieces of a hyphenated or double-barrelled surname
  (``SMITH-JONES`` and ``SMITH JONES`` give ``[JONES, SMITH]``).

The lookups are built in Python over the distinct values and joined back set-wise.
"""

from __future__ import annotations

import re

import pyarrow as pa
from metaphone import doublemetaphone

from toex.resolve.nicknames import forename_canon, forename_groups

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


def forename_lookup(forenames: list[str]) -> pa.Table:
    """A table ``forename, forename_groups, forename_canon`` for the given distinct forenames."""
    return pa.table(
        {
            "forename": pa.array(forenames, pa.string()),
            "forename_groups": pa.array(
                [forename_groups(f) for f in forenames], pa.list_(pa.string())
            ),
            "forename_canon": pa.array([forename_canon(f) for f in forenames], pa.string()),
        }
    )


def surname_lookup(surnames: list[str]) -> pa.Table:
    """A table ``surname, surname_metaphones, surname_parts`` for the given distinct surnames."""
    return pa.table(
        {
            "surname": pa.array(surnames, pa.string()),
            "surname_metaphones": pa.array(
                [surname_metaphones(s) for s in surnames], pa.list_(pa.string())
            ),
            "surname_parts": pa.array([surname_parts(s) for s in surnames], pa.list_(pa.string())),
        }
    )
