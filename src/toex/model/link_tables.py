"""Tables of the ``link`` layer written by toex.link."""

from __future__ import annotations

from toex.model.tables import TableSpec

TABLE_SPECS: tuple[TableSpec, ...] = ()
