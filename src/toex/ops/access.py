"""Who may see what: the access scope of a user, built from their organisation's agreements.

A record (a staged row carrying ``force``, ``handling_code`` and ``classification``) is
visible to a user only when all three hold:

* their organisation has a data-sharing agreement, in force today, for the record's force;
* they hold the record's handling code (``User.handling_codes``, e.g. ``"P,C"``);
* their clearance is at or above the record's classification.

:class:`AccessScope` is a pure value: the web data layer turns it into one SQL predicate
(:func:`toex.web.data.filters.visible_predicate`) so every query applies the same rule.
Roles decide which pages a user may open; the scope decides which records those pages show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from toex.model import Classification, HandlingCode


class Role(StrEnum):
    """User roles. Analysts and supervisors read intelligence; partners submit STIM data;
    admins manage accounts. Supervisors also search their organisation's audit log."""

    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    PARTNER = "partner"
    ADMIN = "admin"


#: Roles that may search and view warehouse records.
DATA_ROLES: frozenset[str] = frozenset({Role.ANALYST, Role.SUPERVISOR})
#: Roles that may record same / not-the-same decisions.
DECISION_ROLES: frozenset[str] = frozenset({Role.ANALYST, Role.SUPERVISOR})
#: Roles that may search the audit log (supervisors: their organisation; admins: all).
AUDIT_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Roles that may manage users, organisations and agreements.
ADMIN_ROLES: frozenset[str] = frozenset({Role.ADMIN})

#: Classifications in rank order (lowest first); a clearance sees its rank and below.
CLASSIFICATIONS: tuple[str, ...] = tuple(c.value for c in Classification)
HANDLING_CODES: tuple[str, ...] = tuple(h.value for h in HandlingCode)


def classification_rank(marking: str) -> int:
    """Rank of a classification marking (OFFICIAL = 0); unknown markings rank highest."""
    try:
        return CLASSIFICATIONS.index(marking)
    except ValueError:
        return len(CLASSIFICATIONS)


def parse_handling_codes(text: str) -> frozenset[str]:
    """The handling codes in a comma-separated list such as ``"P,C"`` (unknown codes dropped)."""
    codes = {part.strip().upper() for part in text.split(",")}
    return frozenset(c for c in codes if c in HANDLING_CODES)


def agreement_in_force(
    valid_from: dt.date | None, valid_to: dt.date | None, today: dt.date
) -> bool:
    """Whether an agreement with these validity dates applies on ``today`` (inclusive)."""
    return (valid_from is None or valid_from <= today) and (valid_to is None or today <= valid_to)


@dataclass(frozen=True)
class AccessScope:
    """The records one user may see: forces by agreement, handling codes, clearance."""

    forces: frozenset[str] = field(default_factory=frozenset)
    handling_codes: frozenset[str] = field(default_factory=frozenset)
    clearance: str = Classification.OFFICIAL.value

    @property
    def classifications(self) -> tuple[str, ...]:
        """The classification markings at or below the clearance."""
        return CLASSIFICATIONS[: classification_rank(self.clearance) + 1]

    @property
    def empty(self) -> bool:
        """True when the scope can match no record at all."""
        return not self.forces or not self.handling_codes

    def permits(self, force: str, handling_code: str, classification: str) -> bool:
        """Whether a record with these markings is visible in this scope."""
        return (
            force in self.forces
            and handling_code in self.handling_codes
            and classification in self.classifications
        )


NO_ACCESS = AccessScope()


def scope_for(
    role: str,
    agreement_forces: list[tuple[str, dt.date | None, dt.date | None]],
    handling_codes: str,
    clearance: str,
    today: dt.date | None = None,
) -> AccessScope:
    """The scope of a user with ``role`` whose organisation holds these agreements.

    ``agreement_forces`` lists (force_code, valid_from, valid_to). Roles outside
    :data:`DATA_ROLES` get :data:`NO_ACCESS` whatever their agreements say.
    """
    if role not in DATA_ROLES:
        return NO_ACCESS
    day = today or dt.date.today()
    forces = frozenset(
        f for f, start, end in agreement_forces if agreement_in_force(start, end, day)
    )
    if clearance not in CLASSIFICATIONS:
        return NO_ACCESS
    return AccessScope(forces, parse_handling_codes(handling_codes), clearance)
