"""Deterministic identifiers: the same source key values always give the same ID.

Followthemoney style: an ID is a hash of the record's ordered key values, so reloading a file
gives the same IDs. ``toex.ingest`` computes the same hash set-wise in SQL; a test checks the
two agree.
"""

from __future__ import annotations

import hashlib

ID_SEPARATOR = "\x1f"  # ASCII unit separator: never part of a key value
ID_LENGTH = 20  # hex digits of the MD5 kept (80 bits: no collision at 10^9 rows)


def stable_id(*parts: object) -> str:
    """The deterministic ID of ``parts`` (``None`` hashes as the empty string)."""
    text = ID_SEPARATOR.join("" if p is None else str(p) for p in parts)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:ID_LENGTH]
