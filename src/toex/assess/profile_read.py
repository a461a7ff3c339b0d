"""Read API over the profile tables: the missing-person and ViSOR profiles of a force or
region, one person's warnings, and the value issues.

For the CLI (``toex assess misper``, ``toex assess visor``), the web app and the force
profile pack. Each function takes a connection to a snapshot and returns plain dicts; forces
and regions are named by code, short name or full name.
"""

from __future__ import annotations

from typing import Any

from toex.assess.misper_profile import MISPER_RANK_TABLE, MISPER_TABLE
from toex.assess.perpetrators import force_code, region_code
from toex.assess.profile_stage import ISSUE_TABLE
from toex.assess.sql_steps import query, table_exists
from toex.assess.visor_profile import VISOR_TABLE
from toex.assess.warnings_person import WARNING_TABLE
from toex.errors import ConfigError, NotFoundError
from toex.ops.access import AccessScope

MISPER_COLUMNS = (
    "person_id",
    "force",
    "forces",
    "age",
    "child",
    "n_episodes",
    "n_episodes_90d",
    "n_episodes_365d",
    "frequent",
    "last_missing",
    "latest_risk",
    "highest_risk",
    "risk_escalating",
    "intervals_shortening",
    "n_found_other_force",
    "found_forces",
    "rhi",
    "n_associates",
    "soc_link",
    "soc_signals",
    "indicators",
    "score",
    "reason",
)
VISOR_COLUMNS = (
    "person_id",
    "force",
    "reference",
    "registered",
    "mappa_category",
    "mappa_level",
    "rosh",
    "n_crimes_since",
    "n_sexual_since",
    "n_child_victims_since",
    "n_intel_since",
    "n_child_contacts",
    "n_missing_contacts",
    "n_missing_shared",
    "n_network_shared",
    "n_breaches",
    "last_activity",
    "score",
    "force_rank",
    "reason",
)
MARKS = ("mark_forces", "mark_codes", "mark_classes")


def _need(con: Any, table: str) -> None:
    if not table_exists(con, table):
        raise NotFoundError(f"{table} is not in this snapshot: run `toex run` to build it")


def misper_profile(
    con: Any,
    force: str | None = None,
    region: str | None = None,
    top: int | None = 50,
    frequent_only: bool = False,
) -> list[dict[str, Any]]:
    """The missing-person profile of a force or region (every person with an episode
    there, ranked), or every person by score; ``rank`` is the place in that list."""
    _need(con, MISPER_TABLE)
    if force and region:
        raise ConfigError("name a force or a region, not both")
    cols = ", ".join(f"m.{c}" for c in (*MISPER_COLUMNS, *MARKS))
    where = "WHERE m.frequent" if frequent_only else ""
    limit = f"LIMIT {int(top)}" if top else ""
    if force or region:
        area_type, area = (
            ("force", force_code(force)) if force else ("region", region_code(region or ""))
        )
        sql = (
            f"SELECT r.rank, {cols} FROM {MISPER_RANK_TABLE} AS r "
            f"JOIN {MISPER_TABLE} AS m USING (person_id) "
            f"WHERE r.area_type = ? AND r.area = ? {'AND m.frequent' if frequent_only else ''} "
            f"ORDER BY r.rank {limit}"
        )
        return query(con, sql, [area_type, area])
    sql = (
        f"SELECT row_number() OVER (ORDER BY m.score DESC, m.person_id) AS rank, {cols} "
        f"FROM {MISPER_TABLE} AS m {where} ORDER BY rank {limit}"
    )
    return query(con, sql)


def visor_profile(con: Any, force: str | None = None, top: int | None = 50) -> list[dict[str, Any]]:
    """The ViSOR profile of a force (its registrations, ranked), or every force's."""
    _need(con, VISOR_TABLE)
    cols = ", ".join((*VISOR_COLUMNS, *MARKS))
    limit = f"LIMIT {int(top)}" if top else ""
    if force:
        return query(
            con,
            f"SELECT force_rank AS rank, {cols} FROM {VISOR_TABLE} WHERE force = ? "
            f"ORDER BY force_rank {limit}",
            [force_code(force)],
        )
    return query(
        con,
        f"SELECT row_number() OVER (ORDER BY score DESC, person_id, reference) AS rank, {cols} "
        f"FROM {VISOR_TABLE} ORDER BY rank {limit}",
    )


def person_warnings(con: Any, person_ids: list[str]) -> list[dict[str, Any]]:
    """The warnings of some persons (with their records' markings)."""
    if not person_ids or not table_exists(con, WARNING_TABLE):
        return []
    marks = ", ".join("?" for _ in person_ids)
    return query(
        con,
        f"SELECT * FROM {WARNING_TABLE} WHERE person_id IN ({marks}) ORDER BY person_id, warning",
        list(person_ids),
    )


def profile_issues(con: Any, force: str | None = None) -> list[dict[str, Any]]:
    """The value issues the profiles found (row and field), optionally of one force."""
    _need(con, ISSUE_TABLE)
    if force:
        return query(con, f"SELECT * FROM {ISSUE_TABLE} WHERE force = ?", [force_code(force)])
    return query(con, f"SELECT * FROM {ISSUE_TABLE}")


def permitted(row: dict[str, Any], scope: AccessScope) -> bool:
    """Whether ``scope`` may see every record a profile row draws on (its ``mark_*``)."""
    forces, codes, classes = (row.get(k) for k in MARKS)
    if scope.empty or forces is None or codes is None or classes is None:
        return False
    return (
        all(f in scope.forces for f in forces)
        and all(c in scope.handling_codes for c in codes)
        and all(c in scope.classifications for c in classes)
    )


def misper_pack_rows(con: Any, force: str, scope: AccessScope) -> list[dict[str, Any]] | None:
    """The force pack's missing-person section: the force's profile rows the pack's scope
    may see, re-ranked among them; None when the snapshot has no profile."""
    if not table_exists(con, MISPER_TABLE):
        return None
    rows = [r for r in misper_profile(con, force=force, top=None) if permitted(r, scope)]
    return [{**r, "rank": i} for i, r in enumerate(rows, start=1)]


def visor_pack_rows(con: Any, force: str, scope: AccessScope) -> list[dict[str, Any]] | None:
    """The force pack's ViSOR section: the force's registrations the scope may see."""
    if not table_exists(con, VISOR_TABLE):
        return None
    rows = [r for r in visor_profile(con, force=force, top=None) if permitted(r, scope)]
    return [{**r, "rank": i} for i, r in enumerate(rows, start=1)]
