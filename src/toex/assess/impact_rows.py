"""The impact evaluation's threat rows straight from tracker CSV rows (no store).

The coverage study (tests, ``bench/bench_impact.py``) draws many synthetic histories; going
through the operational store for each would only add import time, so this reads the rows of
``operations.csv`` and ``disruptions.csv`` the way :func:`toex.ops.tracker_queries.threat_rows`
reads the store (a test checks both agree).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def csv_threat_rows(rows: dict[str, list[dict[str, str]]]) -> list[dict[str, Any]]:
    """One row per operation of ``rows`` (kind -> CSV rows), shaped like the store's."""
    first: dict[str, dt.date] = {}
    for d in rows["disruptions"]:
        if d["significant"] == "yes":
            day = dt.date.fromisoformat(d["disruption_date"])
            ref = d["operation_reference"]
            first[ref] = min(first.get(ref, day), day)
    return [
        {
            "reference": o["reference"],
            "supported": o["supported"] == "yes",
            "geographic_scale": o["geographic_scale"],
            "lead_force": o["lead_force"],
            "exploitation_types": tuple(sorted(o["exploitation_types"].split(";"))),
            "identified_on": _day(o["identified_on"]),
            "scored_on": _day(o["scored_on"]),
            "top10_on": _day(o["top10_on"]),
            "first_significant": first.get(o["reference"]),
        }
        for o in sorted(rows["operations"], key=lambda o: o["reference"])
    ]
