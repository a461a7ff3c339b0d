"""The profiles' read API on the tiny synthetic set: ranked lists, the pack's providers
under an access scope, and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from toex.assess.profile_read import (
    misper_pack_rows,
    misper_profile,
    permitted,
    person_warnings,
    visor_pack_rows,
    visor_profile,
)
from toex.engine import SnapshotStore
from toex.errors import ConfigError
from toex.ops.access import AccessScope

CAMBS = AccessScope(frozenset({"cambs"}), frozenset({"P", "C"}), "SECRET")


@pytest.fixture(scope="module")
def con(tiny_warehouse: Path):  # type: ignore[no-untyped-def]
    return SnapshotStore(tiny_warehouse).open_current()


def test_force_list_is_the_force_ranking(con) -> None:  # type: ignore[no-untyped-def]
    rows = misper_profile(con, force="Cambridgeshire", top=None)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all("cambs" in r["forces"].split(",") for r in rows)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(ConfigError):
        misper_profile(con, force="cambs", region="eastern")


def test_pack_rows_only_what_the_scope_may_see(con) -> None:  # type: ignore[no-untyped-def]
    every = misper_profile(con, force="cambs", top=None)
    shown = misper_pack_rows(con, "cambs", CAMBS)
    assert shown is not None and 0 < len(shown) < len(every)
    assert all(set(r["mark_forces"]) == {"cambs"} for r in shown)
    assert [r["rank"] for r in shown] == list(range(1, len(shown) + 1))
    hidden = [r for r in every if not permitted(r, CAMBS)]
    assert hidden and all(set(r["mark_forces"]) - {"cambs"} for r in hidden)
    visor = visor_pack_rows(con, "cambs", CAMBS)
    assert visor is not None and all(r["force"] == "cambs" for r in visor)
    assert len(visor) <= len(visor_profile(con, force="cambs", top=None))


def test_registrants_carry_their_warning(con) -> None:  # type: ignore[no-untyped-def]
    regs = visor_profile(con, top=None)
    warnings = person_warnings(con, [r["person_id"] for r in regs])
    flagged = {w["person_id"] for w in warnings if w["warning"] == "registered_sex_offender"}
    assert flagged == {r["person_id"] for r in regs}
