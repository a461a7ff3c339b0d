"""The performance dashboard: the briefing's performance slide for a period and a set of forces.

Definitions (docs/tracker.md gives them in full). A period is ``start``..``end`` inclusive; an
operation is in scope when it covers one of the forces asked for (all forces: every one).

* AARs, disruptions, referrals and outcomes count the records dated in the period of
  operations in scope; "operations" beside them count the distinct operations those records
  belong to; an operation is *open* at the period's end when it opened by then and had not
  closed by then.
* Supported SOC operations: operations in scope, supported and on the SOC Master List, that
  were running at some point in the period (opened by its end, not closed before its start).
* Requests: workload-tracker requests dated in the period whose requester is one of the
  forces asked for (all forces: every request, organisations too); forces and organisations
  supported: the distinct requesters of those requests.
* Outcomes sum their counts; new OCGs, PIs and vulnerabilities include the pending ones
  (the pending part is also given on its own).
* Jobs by exploitation type count each threat type of each AAR (an AAR with two types
  counts twice: "including multiples"); jobs by scale count AARs by their operation's scale;
  each with its share of the total.
* Trends: AARs, disruptions and referrals per calendar month of the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from toex.model import ExploitationType, GeographicScale, OutcomeKind, TrackerReferralKind
from toex.ops.db import OpsStore
from toex.ops.tracker_models import (
    TrackerAar,
    TrackerAarType,
    TrackerDisruption,
    TrackerOperation,
    TrackerOperationForce,
    TrackerOutcome,
    TrackerReferral,
    TrackerRequest,
)

#: The slide's figures in display order: key -> label.
FIGURES: dict[str, str] = {
    "aars": "AARs",
    "aar_operations": "Operations with AARs",
    "aar_operations_open": "of which open at the end of the period",
    "disruptions": "Disruptions",
    "disruption_operations": "Operations with disruptions",
    "significant_disruptions": "Significant disruptions",
    "supported_soc_operations": "Support provided on operations on the SOC Master List",
    "requests": "Supported requests on the Workload Tracker",
    "organisations_supported": "Forces / organisations supported",
    **{f"referrals_{k.value}": f"{k.label} referrals" for k in TrackerReferralKind},
    **{k.value: k.label for k in OutcomeKind},
    **{
        f"{k.value}_pending": f"of which pending ({k.label.split(' (')[0]})"
        for k in (OutcomeKind.NEW_OCG, OutcomeKind.NEW_PI, OutcomeKind.NEW_VULNERABILITY)
    },
}


@dataclass(frozen=True)
class Share:
    """One row of a jobs table: a code, its label, its count and its share in percent."""

    code: str
    label: str
    count: int
    percent: float


@dataclass
class Dashboard:
    """The slide for one period and scope."""

    start: dt.date
    end: dt.date
    forces: tuple[str, ...] | None
    figures: dict[str, int] = field(default_factory=dict)
    by_type: list[Share] = field(default_factory=list)
    by_scale: list[Share] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    trends: dict[str, list[int]] = field(default_factory=dict)


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """``YYYY-MM`` of every calendar month from ``start`` to ``end``."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _shares(counts: Counter[str], labels: dict[str, str]) -> list[Share]:
    total = sum(counts.values())
    return [
        Share(code, label, counts[code], round(100 * counts[code] / total, 1) if total else 0.0)
        for code, label in labels.items()
    ]


def dashboard(
    store: OpsStore, start: dt.date, end: dt.date, forces: Iterable[str] | None = None
) -> Dashboard:
    """The dashboard for ``start``..``end`` over ``forces`` (``None``: every force)."""
    codes = tuple(sorted(set(forces))) if forces is not None else None
    board = Dashboard(start, end, codes, months=months_between(start, end))
    with store.engine.connect() as s:
        op_query = select(
            TrackerOperation.id,
            TrackerOperation.supported,
            TrackerOperation.soc_master_list,
            TrackerOperation.geographic_scale,
            TrackerOperation.opened_on,
            TrackerOperation.closed_on,
        )
        if codes is not None:
            op_query = op_query.where(
                TrackerOperation.id.in_(
                    select(TrackerOperationForce.operation_id).where(
                        TrackerOperationForce.force_code.in_(codes)
                    )
                )
            )
        ops = {r.id: r for r in s.execute(op_query)}

        def dated(model: Any, column: str, *extra: Any) -> list[Any]:
            col = getattr(model, column)
            query = select(model.operation_id, col, *extra).where(col >= start, col <= end)
            return [r for r in s.execute(query) if r[0] in ops]

        aars = dated(TrackerAar, "aar_date", TrackerAar.id)
        aar_ids = {r[2] for r in aars}
        aar_types = [
            t
            for aid, t in s.execute(
                select(TrackerAarType.aar_id, TrackerAarType.exploitation_type).where(
                    TrackerAarType.aar_id.in_(
                        select(TrackerAar.id).where(
                            TrackerAar.aar_date >= start, TrackerAar.aar_date <= end
                        )
                    )
                )
            )
            if aid in aar_ids
        ]
        disruptions = dated(TrackerDisruption, "disruption_date", TrackerDisruption.significant)
        referrals = dated(TrackerReferral, "referred_on", TrackerReferral.kind)
        outcomes = dated(
            TrackerOutcome,
            "recorded_on",
            TrackerOutcome.kind,
            TrackerOutcome.count,
            TrackerOutcome.pending,
        )
        req_query = select(TrackerRequest.requester, TrackerRequest.requested_on).where(
            TrackerRequest.requested_on >= start, TrackerRequest.requested_on <= end
        )
        if codes is not None:
            req_query = req_query.where(TrackerRequest.requester.in_(codes))
        requests = list(s.execute(req_query))

    f = board.figures
    f["aars"] = len(aars)
    aar_ops = {r[0] for r in aars}
    f["aar_operations"] = len(aar_ops)
    f["aar_operations_open"] = sum(
        1 for i in aar_ops if ops[i].closed_on is None or ops[i].closed_on > end
    )
    f["disruptions"] = len(disruptions)
    f["disruption_operations"] = len({r[0] for r in disruptions})
    f["significant_disruptions"] = sum(1 for r in disruptions if r[2])
    f["supported_soc_operations"] = sum(
        1
        for o in ops.values()
        if o.supported
        and o.soc_master_list
        and o.opened_on <= end
        and (o.closed_on is None or o.closed_on >= start)
    )
    f["requests"] = len(requests)
    f["organisations_supported"] = len({r[0] for r in requests})
    kinds = Counter(r[2] for r in referrals)
    for rk in TrackerReferralKind:
        f[f"referrals_{rk.value}"] = kinds[rk.value]
    totals: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    for r in outcomes:
        totals[r[2]] += r[3]
        if r[4]:
            pending[r[2]] += r[3]
    for ok in OutcomeKind:
        f[ok.value] = totals[ok.value]
    for ok in (OutcomeKind.NEW_OCG, OutcomeKind.NEW_PI, OutcomeKind.NEW_VULNERABILITY):
        f[f"{ok.value}_pending"] = pending[ok.value]
    board.by_type = _shares(Counter(aar_types), {t.value: t.label for t in ExploitationType})
    board.by_scale = _shares(
        Counter(ops[r[0]].geographic_scale for r in aars),
        {g.value: g.label for g in GeographicScale},
    )
    for name, rows in (("aars", aars), ("disruptions", disruptions), ("referrals", referrals)):
        per = Counter(r[1].strftime("%Y-%m") for r in rows)
        board.trends[name] = [per[m] for m in board.months]
    return board


CSV_COLUMNS = ("section", "item", "count", "percent")


def dashboard_rows(board: Dashboard) -> list[dict[str, object]]:
    """The dashboard as CSV rows (:data:`CSV_COLUMNS`): figures, jobs tables, trends."""
    rows: list[dict[str, object]] = []

    def add(section: str, item: str, count: int, percent: float | str = "") -> None:
        rows.append({"section": section, "item": item, "count": count, "percent": percent})

    for key, value in board.figures.items():
        add("figures", FIGURES[key], value)
    for share in board.by_type:
        add("jobs by exploitation type (inc. multiples)", share.label, share.count, share.percent)
    for share in board.by_scale:
        add("jobs by geographic scale", share.label, share.count, share.percent)
    for name, values in board.trends.items():
        for month, value in zip(board.months, values, strict=True):
            add(f"{name} per month", month, value)
    return rows
