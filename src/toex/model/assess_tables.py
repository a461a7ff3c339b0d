"""Tables of the ``assess`` layer written by toex.assess (perpetrators, safeguarding, misper, visor, threat)."""

from __future__ import annotations

from toex.model.tables import TableSpec

TABLE_SPECS: tuple[TableSpec, ...] = ()
