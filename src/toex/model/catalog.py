"""Every warehouse table of every layer, in pipeline order, keyed by name."""

from __future__ import annotations

from toex.model import (
    assess_tables,
    link_tables,
    profile_tables,
    resolved_tables,
    retention_tables,
    stim_tables,
    threat_tables,
)
from toex.model.tables import STAGED_AND_RAW_TABLES, TableSpec

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        *STAGED_AND_RAW_TABLES,
        *resolved_tables.TABLE_SPECS,
        *link_tables.TABLE_SPECS,
        *assess_tables.TABLE_SPECS,
        *profile_tables.TABLE_SPECS,
        *retention_tables.TABLE_SPECS,
        *stim_tables.TABLE_SPECS,
        *threat_tables.TABLE_SPECS,
    )
}


def table(name: str) -> TableSpec:
    """The spec of the named table; ``KeyError`` names the table when unknown."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}") from None
