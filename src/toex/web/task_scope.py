"""Task-based access on the person pages: the scope a user's live grants give them over one
person's own records.

A supervisor's grant (:mod:`toex.ops.tracker_grants`) names an operation; while it is live the
user may see the records of the operation's linked persons, and of members of its linked
networks, in the forces the operation covers. Only the person's own records (mentions,
events, objects) are read under that wider scope; co-mentioned people, the network and
everything else stay under the user's agreements. Handling codes and clearance are never
widened.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from toex.ops.access import DATA_ROLES, AccessScope
from toex.ops.db import OpsStore
from toex.ops.tracker_grants import TaskAccess, task_access
from toex.web.auth import Principal
from toex.web.warehouse import OpenSnapshot


def person_networks(
    snapshot: OpenSnapshot, cur: Any, person_id: str, networks: set[str]
) -> set[str]:
    """Which of ``networks`` the person is a member of (none if the snapshot has no
    ``link_network_member``)."""
    if not networks or not snapshot.has_columns("link_network_member", "network_id", "person_id"):
        return set()
    marks = ", ".join("?" for _ in networks)
    rows = cur.execute(
        "SELECT DISTINCT network_id FROM link_network_member "
        f"WHERE person_id = ? AND network_id IN ({marks})",
        [person_id, *sorted(networks)],
    ).fetchall()
    return {r[0] for r in rows}


def grants_for_person(
    grants: list[TaskAccess], person_id: str, member_of: set[str]
) -> list[TaskAccess]:
    """The grants that name the person or one of their networks."""
    return [g for g in grants if person_id in g.persons or g.networks & member_of]


def person_scope(
    store: OpsStore, snapshot: OpenSnapshot, cur: Any, user: Principal, person_id: str
) -> tuple[AccessScope, list[str]]:
    """The scope for ``person_id``'s own records, and the operations whose grants widen it."""
    scope = user.scope
    if user.role not in DATA_ROLES or not scope.handling_codes:
        return scope, []
    grants = task_access(store, user.username)
    if not grants:
        return scope, []
    networks = set().union(*(g.networks for g in grants))
    applying = grants_for_person(
        grants, person_id, person_networks(snapshot, cur, person_id, networks)
    )
    if not applying:
        return scope, []
    extra = frozenset().union(*(g.forces for g in applying))
    return replace(scope, forces=scope.forces | extra), sorted(g.operation for g in applying)
