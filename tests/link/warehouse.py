"""An inline warehouse builder: staged and resolved rows from short dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb
import ibis

from toex.model.tables import STAGED_EVENT, STAGED_LOCATION, STAGED_OBJECT, STAGED_PERSON_MENTION

_SPECS = {s.name: s for s in (STAGED_EVENT, STAGED_PERSON_MENTION, STAGED_OBJECT, STAGED_LOCATION)}


class Warehouse:
    """A throw-away DuckDB warehouse with staged and resolved tables built from dicts."""

    def __init__(self) -> None:
        self.ibis = ibis.duckdb.connect()
        self.con: duckdb.DuckDBPyConnection = self.ibis.con
        for spec in _SPECS.values():
            self.ibis.create_table(spec.name, schema=spec.ibis_schema())
        self.con.execute(
            "CREATE TABLE resolved_mention_person (mention_id VARCHAR, person_id VARCHAR)"
        )
        self._row = 0

    def _insert(self, table: str, row: dict[str, Any]) -> None:
        spec = _SPECS[table]
        self._row += 1
        defaults: dict[str, Any] = {
            "force": "essex",
            "source_system": "athena",
            "source_file": f"{table}.csv",
            "source_row": self._row,
            "source_record_id": f"R{self._row}",
            "record_hash": f"h{self._row}",
            "load_id": "L1",
            "handling_code": "P",
            "classification": "OFFICIAL",
        }
        values = [row.get(c, defaults.get(c)) for c in spec.column_names]
        marks = ", ".join("?" for _ in values)
        self.con.execute(f"INSERT INTO {table} VALUES ({marks})", values)

    def event(
        self, event_id: str, event_type: str = "crime", date: str = "2024-01-01", **kw: Any
    ) -> str:
        """Add an event."""
        self._insert(
            "staged_event",
            {
                "event_id": event_id,
                "event_type": event_type,
                "reference": event_id,
                "occurred_from": dt.date.fromisoformat(date),
                **kw,
            },
        )
        return event_id

    def mention(self, person: str, event_id: str | None, role: str, **kw: Any) -> str:
        """Add a person mention resolved to ``person``; returns the mention id."""
        mention_id = f"m{self._row + 1}"
        self._insert(
            "staged_person_mention",
            {"mention_id": mention_id, "event_id": event_id, "role": role, "slot": "p1", **kw},
        )
        self.con.execute("INSERT INTO resolved_mention_person VALUES (?, ?)", [mention_id, person])
        return mention_id

    def obj(
        self,
        object_type: str,
        value: str,
        mention_id: str | None = None,
        event_id: str | None = None,
        **kw: Any,
    ) -> None:
        """Add an object sighting."""
        self._insert(
            "staged_object",
            {
                "object_id": f"o{self._row + 1}",
                "object_type": object_type,
                "value": value,
                "mention_id": mention_id,
                "event_id": event_id,
                "relation": "uses",
                **kw,
            },
        )

    def location(
        self,
        address: str,
        postcode: str | None,
        mention_id: str | None = None,
        event_id: str | None = None,
        relation: str = "home",
        **kw: Any,
    ) -> None:
        """Add a location sighting."""
        self._insert(
            "staged_location",
            {
                "location_id": f"l{self._row + 1}",
                "address_raw": address,
                "postcode": postcode,
                "mention_id": mention_id,
                "event_id": event_id,
                "relation": relation,
                **kw,
            },
        )

    def crime(
        self,
        event_id: str,
        suspects: list[str],
        victims: Sequence[str] = (),
        date: str = "2024-01-01",
        force: str = "essex",
        offence: str = "8N",
    ) -> None:
        """A crime with suspects and victims (person ids)."""
        self.event(event_id, "crime", date, force=force, offence_code=offence)
        for p in suspects:
            self.mention(p, event_id, "suspect", force=force)
        for p in victims:
            self.mention(p, event_id, "victim", force=force)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        return self.con.execute(sql).fetchall()
