"""The missing-person and ViSOR force profiles, when the snapshot holds them.

Both profiles are the assess stage's (:mod:`toex.assess.profile_read`): each provider
returns one force's ranked rows whose every record the pack's scope may see, or None when
the snapshot does not hold the profile (the section then says "not available in this
snapshot"). Whatever a provider returns, a row is shown
only when every record of its person is in the pack's scope, marked accordingly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toex.assess.profile_read import misper_pack_rows, visor_pack_rows
from toex.ops.access import AccessScope
from toex.publish.content import Block, PackContext, Provenance, Section, person_label, unavailable
from toex.publish.records import PERSON

#: ``(con, force_code, scope) -> rows | None``; each row has ``person_id`` and ``reason``,
#: optionally ``rank``.
ProfileProvider = Callable[[Any, str, AccessScope], list[dict[str, Any]] | None]
MISSING_PROFILE: ProfileProvider | None = misper_pack_rows
VISOR_PROFILE: ProfileProvider | None = visor_pack_rows
TOP_ROWS = 20
ROWS_PER_BLOCK = 10


def profile_section(
    ctx: PackContext,
    key: str,
    title: str,
    what: str,
    provider: ProfileProvider | None,
    *,
    pseudonymous: bool,
) -> Section:
    """A ranked profile section from ``provider``, or "not available" without one."""
    rows = provider(ctx.con, ctx.force.code, ctx.scope) if provider is not None else None
    if rows is None:
        return unavailable(key, title, what)
    ids = sorted({str(r["person_id"]) for r in rows})
    access = {
        a["person_id"]: a
        for a in ctx.rows(
            f"SELECT a.*, rp.forename, rp.surname FROM {PERSON} AS a "
            "LEFT JOIN resolved_person AS rp USING (person_id) "
            f"WHERE a.person_id IN (SELECT unnest(?::VARCHAR[])) AND {ctx.visible('a')}",
            [ids],
        )
    }
    kept = [r for r in rows if r["person_id"] in access][:TOP_ROWS]
    shown = []
    for i, r in enumerate(kept, start=1):
        a = access[r["person_id"]]
        named = not pseudonymous or ctx.victim_names
        shown.append(
            {
                "position": i,
                "ref": r["person_id"],
                "name": person_label(a["forename"], a["surname"]) if named else "",
                "reason": r.get("reason") or "",
                "mrank": a["mrank"],
                "forces": a["forces"],
                "handling": a["handling"],
            }
        )
    blocks = [
        Block("blocks/profile_rows.html", {"rows": chunk}, Provenance.of_rows(chunk))
        for chunk in (shown[i : i + ROWS_PER_BLOCK] for i in range(0, len(shown), ROWS_PER_BLOCK))
    ] or [
        Block(
            "blocks/unavailable.html",
            {"text": "No one in this profile can be shown under this pack's access scope."},
        )
    ]
    return Section(key, title, blocks)


def build_missing(ctx: PackContext) -> Section:
    """The missing-person force profile section."""
    return profile_section(
        ctx,
        "missing-profile",
        "Missing persons force profile",
        "The missing-person force profile",
        MISSING_PROFILE,
        pseudonymous=True,
    )


def build_visor(ctx: PackContext) -> Section:
    """The ViSOR force profile section."""
    return profile_section(
        ctx,
        "visor-profile",
        "ViSOR force profile",
        "The ViSOR force profile",
        VISOR_PROFILE,
        pseudonymous=False,
    )
