"""Every dashboard number equals an independent recount in SQL written apart from the
dashboard's code, for several periods and forces, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Date, bindparam, text

from toex.config import load_catalogue
from toex.ops.db import OpsStore
from toex.ops.tracker_dashboard import FIGURES, dashboard, dashboard_rows, months_between

from .tracker_support import load_history, open_test_store

PERIODS = [
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
]
SCOPES: list[tuple[str, ...] | None] = [("essex",), ("gmp",), None]


def _q(store: OpsStore, sql: str, **params: Any) -> list[Any]:
    stmt = text(sql).bindparams(bindparam("s", type_=Date()), bindparam("e", type_=Date()))
    with store.engine.connect() as conn:
        return list(conn.execute(stmt, params))


def recount(
    store: OpsStore, s: dt.date, e: dt.date, forces: tuple[str, ...] | None
) -> dict[str, Any]:
    """The slide's figures counted straight from the tables."""
    if forces:
        names = ", ".join(f"'{f}'" for f in forces)  # test constants only
        scope = f"(SELECT operation_id FROM tracker_operation_force WHERE force_code IN ({names}))"
        req = f"AND requester IN ({names})"
    else:
        scope, req = "(SELECT id FROM tracker_operation)", ""
    p = {"s": s, "e": e, "t": True}
    out: dict[str, Any] = {}
    ((out["aars"], out["aar_operations"]),) = _q(
        store,
        f"SELECT count(*), count(DISTINCT operation_id) FROM tracker_aar "
        f"WHERE aar_date BETWEEN :s AND :e AND operation_id IN {scope}",
        **p,
    )
    ((out["aar_operations_open"],),) = _q(
        store,
        f"SELECT count(*) FROM tracker_operation o WHERE o.id IN (SELECT operation_id "
        f"FROM tracker_aar WHERE aar_date BETWEEN :s AND :e AND operation_id IN {scope}) "
        "AND (o.closed_on IS NULL OR o.closed_on > :e)",
        **p,
    )
    ((out["disruptions"], out["disruption_operations"], out["significant_disruptions"]),) = _q(
        store,
        "SELECT count(*), count(DISTINCT operation_id), "
        "coalesce(sum(CASE WHEN significant = :t THEN 1 ELSE 0 END), 0) FROM tracker_disruption "
        f"WHERE disruption_date BETWEEN :s AND :e AND operation_id IN {scope}",
        **p,
    )
    ((out["supported_soc_operations"],),) = _q(
        store,
        "SELECT count(*) FROM tracker_operation WHERE supported = :t AND soc_master_list = :t "
        f"AND opened_on <= :e AND (closed_on IS NULL OR closed_on >= :s) AND id IN {scope}",
        **p,
    )
    ((out["requests"], out["organisations_supported"]),) = _q(
        store,
        "SELECT count(*), count(DISTINCT requester) FROM tracker_request "
        f"WHERE requested_on BETWEEN :s AND :e {req}",
        **p,
    )
    for kind in ("gain", "siena", "interpol", "nrm"):
        out[f"referrals_{kind}"] = 0
    for kind, n in _q(
        store,
        "SELECT kind, count(*) FROM tracker_referral WHERE referred_on BETWEEN :s AND :e "
        f"AND operation_id IN {scope} GROUP BY kind",
        **p,
    ):
        out[f"referrals_{kind}"] = n
    for kind in ("ir_created", "people_safeguarded", "new_ocg", "new_pi", "new_vulnerability"):
        out[kind] = 0
        if kind.startswith("new_"):
            out[f"{kind}_pending"] = 0
    for kind, total, pending in _q(
        store,
        "SELECT kind, sum(count), sum(CASE WHEN pending = :t THEN count ELSE 0 END) "
        f"FROM tracker_outcome WHERE recorded_on BETWEEN :s AND :e AND operation_id IN {scope} "
        "GROUP BY kind",
        **p,
    ):
        out[kind] = int(total)
        if kind.startswith("new_"):
            out[f"{kind}_pending"] = int(pending)
    out["by_type"] = dict(
        _q(
            store,
            "SELECT t.exploitation_type, count(*) FROM tracker_aar_type t JOIN tracker_aar a "
            f"ON a.id = t.aar_id WHERE a.aar_date BETWEEN :s AND :e AND a.operation_id IN {scope} "
            "GROUP BY t.exploitation_type",
            **p,
        )
    )
    out["by_scale"] = dict(
        _q(
            store,
            "SELECT o.geographic_scale, count(*) FROM tracker_aar a JOIN tracker_operation o "
            f"ON o.id = a.operation_id WHERE a.aar_date BETWEEN :s AND :e AND o.id IN {scope} "
            "GROUP BY o.geographic_scale",
            **p,
        )
    )
    months = []
    for m in months_between(s, e):
        first = dt.date.fromisoformat(f"{m}-01")
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        lo, hi = max(first, s), min(last, e)
        ((n,),) = _q(
            store,
            "SELECT count(*) FROM tracker_aar WHERE aar_date BETWEEN :s AND :e "
            f"AND operation_id IN {scope}",
            s=lo,
            e=hi,
        )
        months.append(n)
    out["aars_per_month"] = months
    return out


@pytest.fixture
def history_store(ops_url: str, tmp_path: Path, tiny_synth: Path) -> OpsStore:
    store = open_test_store(ops_url, tmp_path)
    load_history(store, tiny_synth)
    return store


def test_every_number_equals_an_independent_recount(history_store: OpsStore) -> None:
    store = history_store
    try:
        nonzero: set[str] = set()
        for s, e in PERIODS:
            for forces in SCOPES:
                board = dashboard(store, s, e, forces)
                want = recount(store, s, e, forces)
                assert set(board.figures) == set(FIGURES)
                for key, value in board.figures.items():
                    assert value == want[key], (key, s, e, forces)
                    if value:
                        nonzero.add(key)
                assert {x.code: x.count for x in board.by_type if x.count} == want["by_type"]
                assert {x.code: x.count for x in board.by_scale if x.count} == want["by_scale"]
                assert board.trends["aars"] == want["aars_per_month"]
                total = sum(x.count for x in board.by_type)
                if total:
                    assert sum(x.percent for x in board.by_type) == pytest.approx(100, abs=0.6)
                    # multiples: more type counts than AARs when some AAR has two types
                    assert total >= board.figures["aars"]
        # the comparison is not vacuous: every figure is non-zero somewhere
        assert nonzero == set(FIGURES)
    finally:
        store.dispose()


def test_region_scope_is_its_forces_and_csv_rows(history_store: OpsStore) -> None:
    store = history_store
    try:
        eastern = tuple(f.code for f in load_catalogue().forces if f.region == "eastern")
        s, e = PERIODS[2]
        board = dashboard(store, s, e, eastern)
        parts = [dashboard(store, s, e, (f,)) for f in eastern]
        # an operation covering two eastern forces counts once for the region
        assert board.figures["aars"] <= sum(p.figures["aars"] for p in parts)
        assert board.figures["aars"] >= max(p.figures["aars"] for p in parts)
        assert board.figures == {
            k: v for k, v in recount(store, s, e, eastern).items() if k in FIGURES
        }
        rows = dashboard_rows(board)
        assert {
            "section": "figures",
            "item": "AARs",
            "count": board.figures["aars"],
            "percent": "",
        } in rows
        assert len([r for r in rows if r["section"] == "aars per month"]) == 12
    finally:
        store.dispose()
