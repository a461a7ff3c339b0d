"""The network read from the link stage's tables: typed edges, kept only as far as the
records behind them are visible (whole edges, edges seen in part, hub-only edges never)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from toex.ops.access import AccessScope
from toex.web.data.network import expand
from toex.web.warehouse import FixedSnapshot, OpenSnapshot, Warehouse

from .warehouse_fixture import _create

CAMBS_P = {"force": "cambs", "handling_code": "P", "classification": "OFFICIAL"}
ESSEX_PS = {"force": "essex", "handling_code": "P", "classification": "OFFICIAL-SENSITIVE"}
ESSEX_C = {"force": "essex", "handling_code": "C", "classification": "OFFICIAL"}
NORFOLK_C = {"force": "norfolk", "handling_code": "C", "classification": "SECRET"}


def _edge(a: str, b: str, kind: str, weight: float, units: int, **extra: Any) -> dict[str, Any]:
    return {
        "person_a": a,
        "person_b": b,
        "edge_type": kind,
        "weight": weight,
        "n_records": 2 * units,
        "n_units": units,
        "hub_only": False,
        **extra,
    }


def _ev(a: str, b: str, kind: str, unit: str, who: str, marks: dict[str, str]) -> dict[str, Any]:
    return {
        "person_a": a,
        "person_b": b,
        "edge_type": kind,
        "unit_key": unit,
        "hub": False,
        "hub_factor": 1.0,
        "person_id": who,
        **marks,
    }


@pytest.fixture(scope="module")
def linked(mini_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> OpenSnapshot:
    """The inline warehouse plus link tables: P1-V1 (one marking), P1-A1 (a phone seen by
    two forces), P1-P3 (two events, one of them OFFICIAL-SENSITIVE), P1-V2 (hub only)."""
    path = tmp_path_factory.mktemp("linked") / "linked.duckdb"
    shutil.copy(mini_warehouse, path)
    con = duckdb.connect(str(path))
    _create(
        con,
        "link_edge",
        [
            _edge(
                "P1",
                "V1",
                "victim_offender",
                2.0,
                1,
                forces=["cambs"],
                handling_codes=["P"],
                classification="OFFICIAL",
            ),
            _edge(
                "A1",
                "P1",
                "shared_phone",
                1.0,
                1,
                forces=["cambs", "norfolk"],
                handling_codes=["C", "P"],
                classification="SECRET",
            ),
            _edge(
                "P1",
                "P3",
                "co_offending",
                4.0,
                2,
                forces=["cambs", "essex"],
                handling_codes=["C", "P"],
                classification="OFFICIAL-SENSITIVE",
            ),
            {
                **_edge(
                    "P1",
                    "V2",
                    "shared_phone",
                    0.1,
                    1,
                    forces=["essex"],
                    handling_codes=["P"],
                    classification="OFFICIAL-SENSITIVE",
                ),
                "hub_only": True,
            },
        ],
    )
    _create(
        con,
        "link_edge_evidence",
        [
            _ev("P1", "V1", "victim_offender", "event:e1", "P1", CAMBS_P),
            _ev("P1", "V1", "victim_offender", "event:e1", "V1", CAMBS_P),
            _ev("A1", "P1", "shared_phone", "phone:+447700900001", "P1", CAMBS_P),
            _ev("A1", "P1", "shared_phone", "phone:+447700900001", "A1", NORFOLK_C),
            _ev("P1", "P3", "co_offending", "event:e2", "P1", ESSEX_PS),
            _ev("P1", "P3", "co_offending", "event:e2", "P3", ESSEX_C),
            _ev("P1", "P3", "co_offending", "event:e9", "P1", CAMBS_P),
            _ev("P1", "P3", "co_offending", "event:e9", "P3", CAMBS_P),
            _ev("P1", "V2", "shared_phone", "phone:+440", "P1", ESSEX_PS),
            _ev("P1", "V2", "shared_phone", "phone:+440", "V2", ESSEX_PS),
        ],
    )
    con.close()
    return Warehouse(FixedSnapshot(path)).snapshot()


def _links(snap: OpenSnapshot, scope: AccessScope, pid: str = "P1") -> dict[str, Any]:
    e = expand(snap, snap.cursor(), scope, pid)
    return {n.person_id: (n.kinds, n.weight) for n in e.neighbours} | {"total": e.total}


def test_every_record_visible_gives_every_typed_edge_but_hub_only_ones(
    linked: OpenSnapshot,
) -> None:
    scope = AccessScope(frozenset({"cambs", "essex", "norfolk"}), frozenset({"P", "C"}), "SECRET")
    assert _links(linked, scope) == {
        "P3": (["co_offending"], 4.0),
        "V1": (["victim_offender"], 2.0),
        "A1": (["shared_phone"], 1.0),
        "total": 3,
    }


def test_an_edge_counts_only_its_visible_evidence_units(linked: OpenSnapshot) -> None:
    # OFFICIAL clearance: the OFFICIAL-SENSITIVE event e2 is hidden, e9 is not (half the
    # weight of P1-P3); the phone needs Norfolk's record; V1's one marking is visible.
    scope = AccessScope(frozenset({"cambs", "essex"}), frozenset({"P", "C"}), "OFFICIAL")
    assert _links(linked, scope) == {
        "P3": (["co_offending"], 2.0),
        "V1": (["victim_offender"], 2.0),
        "total": 2,
    }


def test_links_resting_on_hidden_records_do_not_exist(linked: OpenSnapshot) -> None:
    norfolk = AccessScope(frozenset({"norfolk"}), frozenset({"P", "C"}), "SECRET")
    assert _links(linked, norfolk) == {"total": 0}
    # A1 sees P1 through the phone only when both sightings are visible.
    both = AccessScope(frozenset({"cambs", "norfolk"}), frozenset({"P", "C"}), "SECRET")
    assert _links(linked, both, "A1") == {"P1": (["shared_phone"], 1.0), "total": 1}
