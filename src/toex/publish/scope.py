"""Whose access scope a force profile pack is built under, and that scope as SQL.

A pack is built for a force's tasking group, so it holds only what the force itself may
see: records of the forces its organisation's data-sharing agreements cover (in force on the
build date), with the configured handling codes, at or below the configured clearance
ceiling. A force with no organisation in the operational store is held to its own records.
Everything derived (counts, reasons, charts) follows the same rule (docs/publish.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from toex.config import Force
from toex.errors import ConfigError
from toex.model import Classification
from toex.ops.access import AccessScope, agreement_in_force
from toex.ops.db import OpsStore
from toex.ops.models import Organisation

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_\- ]{1,64}$")


@dataclass(frozen=True)
class PackScope:
    """The scope a pack is built under and where it came from (said on the cover)."""

    scope: AccessScope
    organisation: str | None
    basis: str


def pack_scope(
    store: OpsStore,
    force: Force,
    *,
    clearance: str,
    handling_codes: frozenset[str],
    today: dt.date,
) -> PackScope:
    """The scope of ``force``'s own organisation (kind ``force``, its ``force_code``).

    Its agreements in force on ``today`` give the forces; ``clearance`` and
    ``handling_codes`` (configuration) cap what the pack may draw on. Two organisations for
    one force is a :class:`ConfigError` (the pack's audience would be ambiguous).
    """
    with store.session() as session:
        orgs = session.scalars(
            select(Organisation)
            .where(Organisation.kind == "force", Organisation.force_code == force.code)
            .options(selectinload(Organisation.agreements))
        ).all()
        if len(orgs) > 1:
            codes = ", ".join(sorted(o.code for o in orgs))
            raise ConfigError(
                f"{len(orgs)} organisations represent {force.code} ({codes}): a pack is built "
                "under its force's one organisation; remove or re-kind the others"
            )
        if not orgs:
            forces = frozenset({force.code})
            org_code = None
            basis = (
                f"the force's own records only, as the operational store has no "
                f"organisation for {force.name}"
            )
        else:
            org = orgs[0]
            forces = frozenset(
                a.force_code
                for a in org.agreements
                if agreement_in_force(a.valid_from, a.valid_to, today)
            )
            org_code = org.code
            basis = f"under the data-sharing agreements of {org.name} on {today:%-d %B %Y}"
    return PackScope(AccessScope(forces, handling_codes, clearance), org_code, basis)


def in_list_values(values: Iterable[str]) -> list[str]:
    """The values that are plain codes, sorted (nothing unchecked reaches the SQL)."""
    return sorted(v for v in values if _SAFE_VALUE.match(v))


def in_list(values: Iterable[str]) -> str:
    """A SQL ``IN`` list of quoted literals; values that are not plain codes are dropped."""
    safe = in_list_values(values)
    return "(" + ", ".join(f"'{v}'" for v in safe) + ")" if safe else "(NULL)"


def permitted_sql(scope: AccessScope, alias: str) -> str:
    """SQL true when the row aliased ``alias`` (force, handling code, classification) is in
    ``scope``; unknown markings are never permitted (they match no list)."""
    if scope.empty:
        return "FALSE"
    return (
        f"coalesce({alias}.force IN {in_list(scope.forces)} "
        f"AND {alias}.handling_code IN {in_list(scope.handling_codes)} "
        f"AND {alias}.classification IN {in_list(scope.classifications)}, FALSE)"
    )


def marking_rank_sql(column: str) -> str:
    """SQL rank of a classification column (OFFICIAL 0); unknown or missing ranks highest."""
    arms = " ".join(f"WHEN '{c.value}' THEN {c.rank}" for c in Classification)
    return f"(CASE {column} {arms} ELSE 99 END)"


def marking_of(rank: int | None) -> str:
    """The classification of a rank from :func:`marking_rank_sql` (OFFICIAL for none)."""
    if rank is None:
        return Classification.OFFICIAL.value
    marks = list(Classification)
    if not 0 <= int(rank) < len(marks):
        raise ConfigError(f"a record carries an unknown classification (rank {rank})")
    return marks[int(rank)].value
