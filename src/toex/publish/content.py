"""The pieces a pack is made of: blocks with their provenance, sections, the build context.

A :class:`Block` is one piece of content that is never split across pages (a chart, a table
of at most a dozen rows, a profile's facts) and carries the :class:`Provenance` of the
records behind it: their highest classification, forces and handling codes. Each page's
marking is the highest marking of the blocks on it (:mod:`toex.publish.render`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toex.assess.config import AssessConfig
from toex.assess.sql_steps import query, raw_connection
from toex.config import Catalogue, Force
from toex.ops.access import AccessScope
from toex.publish.records import visible_sql
from toex.publish.scope import marking_of

#: Aggregate columns giving the provenance of a group of rows of the access tables.
PROVENANCE_SQL = (
    "max({a}.mrank) AS mrank, list_distinct(flatten(list({a}.forces))) AS forces, "
    "list_distinct(flatten(list({a}.handling))) AS handling"
)


def provenance_sql(alias: str) -> str:
    """Aggregate columns ``mrank, forces, handling`` over rows of access table ``alias``."""
    return PROVENANCE_SQL.format(a=alias)


@dataclass
class Provenance:
    """What a block draws on: highest classification rank, forces and handling codes."""

    rank: int = 0
    forces: set[str] = field(default_factory=set)
    handling: set[str] = field(default_factory=set)

    @classmethod
    def of_rows(cls, rows: Iterable[dict[str, Any]]) -> Provenance:
        """The provenance of rows carrying ``mrank``, ``forces`` and ``handling``."""
        out = cls()
        for r in rows:
            out.add(r.get("mrank"), r.get("forces"), r.get("handling"))
        return out

    def add(
        self, rank: int | None, forces: Iterable[str] | None, handling: Iterable[str] | None
    ) -> None:
        """Widen to cover one more row."""
        if rank is not None:
            self.rank = max(self.rank, int(rank))
        self.forces.update(f for f in forces or () if f)
        self.handling.update(h for h in handling or () if h)

    def merged(self, *others: Provenance) -> Provenance:
        """A provenance covering this one and ``others``."""
        out = Provenance(self.rank, set(self.forces), set(self.handling))
        for o in others:
            out.rank = max(out.rank, o.rank)
            out.forces |= o.forces
            out.handling |= o.handling
        return out

    @property
    def marking(self) -> str:
        """The classification marking of the highest rank."""
        return marking_of(self.rank)


@dataclass
class Block:
    """One unsplittable piece of a section, rendered by ``template`` from ``data``."""

    template: str
    data: dict[str, Any]
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def marking(self) -> str:
        """This block's marking (the highest of the records behind it)."""
        return self.provenance.marking


@dataclass
class Section:
    """A titled part of the pack; ``available`` is False when its data is not in the
    snapshot (it then shows ``note`` instead of blocks)."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    available: bool = True
    note: str = ""
    intro: str = ""
    subsections: list[Section] = field(default_factory=list)

    @property
    def short(self) -> bool:
        """True when the section holds only notes (no data): it then needs no page of its
        own."""
        return all(b.template == "blocks/unavailable.html" for b in self.all_blocks())

    def all_blocks(self) -> list[Block]:
        """This section's blocks and its subsections', in order."""
        out = list(self.blocks)
        for sub in self.subsections:
            out += sub.all_blocks()
        return out

    @property
    def provenance(self) -> Provenance:
        """What the whole section draws on."""
        return Provenance().merged(*(b.provenance for b in self.all_blocks()))


def unavailable(key: str, title: str, what: str) -> Section:
    """A section whose data this snapshot does not hold, saying so plainly."""
    return Section(
        key,
        title,
        available=False,
        note=f"{what} is not available in this snapshot.",
        blocks=[
            Block("blocks/unavailable.html", {"text": f"{what} is not available in this snapshot."})
        ],
    )


@dataclass
class PackContext:
    """Everything a section reads: the snapshot connection (with the access tables built),
    the force, the pack's scope, its meeting and reference date, and configuration."""

    con: Any
    force: Force
    catalogue: Catalogue
    scope: AccessScope
    meeting: dt.date
    as_of: dt.date
    assess: AssessConfig
    victim_names: bool = False
    shared: dict[str, Any] = field(default_factory=dict)

    def visible(self, alias: str) -> str:
        """SQL: every record behind the access-table row ``alias`` is in this pack's scope."""
        return visible_sql(self.scope, alias)

    def rows(
        self, sql: str, params: list[Any] | None = None, named: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a query on the snapshot, as dicts (positional or ``named`` parameters)."""
        if named is not None:
            cur = raw_connection(self.con).execute(sql, named)
            cols = [d[0] for d in cur.description or []]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        return query(raw_connection(self.con), sql, params)

    def has(self, table: str) -> bool:
        """Whether the snapshot (or this connection's temporary tables) holds ``table``."""
        row = (
            raw_connection(self.con)
            .execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table])
            .fetchone()
        )
        return bool(row and row[0])

    @property
    def partners(self) -> list[str]:
        """Codes of the partner organisations (their records are the STIM section's)."""
        return [p.code for p in self.catalogue.partners]


#: Roles that make a person named in a pack (the link stage's offender-side roles); anyone
#: else (victims, witnesses, missing people...) appears by toex reference only.
NAMED_ROLES = ("suspect", "subject", "detainee", "registrant")


def names_shown(ctx: PackContext, person_ids: list[str]) -> dict[str, str]:
    """Labels of the persons a pack may name: those with an offender-side record (all of
    them when the configuration allows victims' names). Others are left out, for the
    caller to show by reference."""
    if not person_ids:
        return {}
    roles = ", ".join(f"'{r}'" for r in NAMED_ROLES)
    offender = (
        "TRUE"
        if ctx.victim_names
        else "person_id IN (SELECT mp.person_id FROM resolved_mention_person AS mp JOIN "
        f"staged_person_mention AS m USING (mention_id) WHERE m.role IN ({roles}) AND "
        "mp.person_id IN (SELECT unnest($ids::VARCHAR[])))"
    )
    rows = ctx.rows(
        "SELECT person_id, forename, surname FROM resolved_person "
        f"WHERE person_id IN (SELECT unnest($ids::VARCHAR[])) AND {offender}",
        None,
        {"ids": person_ids},
    )
    return {r["person_id"]: person_label(r["forename"], r["surname"]) for r in rows}


def person_label(forename: str | None, surname: str | None) -> str:
    """A person's name as police products write it: "William FAIR"."""
    first = " ".join(w.capitalize() for w in (forename or "").split())
    last = (surname or "").upper()
    return " ".join(p for p in (first, last) if p) or "name not recorded"
