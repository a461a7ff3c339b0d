"""Geographic scale of a network or person: the categories of the TOEX performance tables.

- ``force``: every record is held by one force;
- ``multi_force_within_region``: two or more forces, all in one region;
- ``multi_force_outside_region``: forces in two or more regions;
- ``international``: the network has an international link (see below), whatever its forces.

Forces are the police forces of the catalogue; partner organisations (the adult-services
website) are not forces and never change the scale. A network has an **international link**
when one of its edges is evidenced by an overseas identifier: a phone whose E.164 country code
is not +44 (UK, including the Crown dependencies), or an address outside the UK, shared by two
members. An overseas phone or a foreign nationality on one member alone is not a link and
does not make a network international: nationality is never used.
"""

from __future__ import annotations

from collections.abc import Iterable

from toex.config import Catalogue
from toex.model import GeographicScale

FORCE = GeographicScale.FORCE.value
WITHIN_REGION = GeographicScale.WITHIN_REGION.value
OUTSIDE_REGION = GeographicScale.OUTSIDE_REGION.value
INTERNATIONAL = GeographicScale.INTERNATIONAL.value
SCALES: tuple[str, ...] = tuple(s.value for s in GeographicScale)
"""The four categories, from narrowest to widest (defined once in ``toex.model``)."""

SCALE_LABELS: dict[str, str] = {s.value: s.label for s in GeographicScale}
"""The labels the briefing's performance table uses."""


def geographic_scale(
    forces: Iterable[str], catalogue: Catalogue, international: bool = False
) -> str:
    """The scale of something seen in ``forces`` (codes; non-force codes are ignored)."""
    if international:
        return INTERNATIONAL
    known = {f.code: f.region for f in catalogue.forces}
    codes = {f for f in forces if f in known}
    if len(codes) <= 1:
        return FORCE
    regions = {known[f] for f in codes}
    return WITHIN_REGION if len(regions) == 1 else OUTSIDE_REGION


def overseas_phone_sql(value: str) -> str:
    """SQL predicate: ``value`` is an E.164 phone outside the UK (+44)."""
    return f"({value} LIKE '+%' AND NOT starts_with({value}, '+44'))"


def force_region_sql(catalogue: Catalogue) -> str:
    """A VALUES relation ``(force, region)`` of every force in the catalogue."""
    rows = ", ".join(f"('{f.code}', '{f.region}')" for f in catalogue.forces)
    return f"SELECT * FROM (VALUES {rows}) AS t(force, region)"


def scale_case_sql(n_forces: str, n_regions: str, international: str) -> str:
    """SQL CASE giving the scale from force and region counts and the international flag."""
    return (
        f"CASE WHEN {international} THEN '{INTERNATIONAL}' "
        f"WHEN {n_forces} <= 1 THEN '{FORCE}' "
        f"WHEN {n_regions} <= 1 THEN '{WITHIN_REGION}' "
        f"ELSE '{OUTSIDE_REGION}' END"
    )
