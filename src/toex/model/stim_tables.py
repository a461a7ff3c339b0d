"""Tables of the ``assess`` layer written by toex.assess.stim (STIM indicators, cases)."""

from __future__ import annotations

from toex.model.tables import TableSpec

TABLE_SPECS: tuple[TableSpec, ...] = ()
