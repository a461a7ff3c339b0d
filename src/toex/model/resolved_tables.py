"""Tables of the ``resolved`` layer written by toex.resolve."""

from __future__ import annotations

from toex.model.tables import TableSpec

TABLE_SPECS: tuple[TableSpec, ...] = ()
