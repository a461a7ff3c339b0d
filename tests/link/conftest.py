"""Fixtures for the link tests.

Fixture strategy: each test builds the smallest warehouse that shows its behaviour, inline,
with :class:`~.warehouse.Warehouse` (staged and resolved rows given as short dicts, provenance
filled in). Graph algorithms are checked against networkx on seeded random graphs. The
acceptance tests (``test_acceptance.py``) run the real pipeline on the session's tiny synthetic
set, and on the small set under ``@pytest.mark.slow``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .warehouse import Warehouse


@pytest.fixture
def wh() -> Iterator[Warehouse]:
    """An empty warehouse."""
    w = Warehouse()
    yield w
    w.ibis.disconnect()
