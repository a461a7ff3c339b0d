"""Inline warehouse builders for the assess tests: staged tables from a few dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

from toex.model.tables import STAGED_EVENT, STAGED_PERSON_MENTION, TableSpec

AS_OF = dt.date(2025, 12, 31)


def _arrow(spec: TableSpec, rows: list[dict[str, Any]]) -> pa.Table:
    schema = spec.ibis_schema().to_pyarrow()
    filled = [{name: r.get(name) for name in schema.names} for r in rows]
    return pa.Table.from_pylist(filled, schema=schema)


def _provenance(row: dict[str, Any], i: int) -> dict[str, Any]:
    base = {
        "source_system": "test",
        "source_file": "f.csv",
        "source_row": i,
        "source_record_id": f"r{i}",
        "record_hash": f"h{i}",
        "load_id": "l1",
        "handling_code": "P",
        "classification": "OFFICIAL",
    }
    return {**base, **row}


def build_warehouse(
    events: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
    persons: dict[str, str] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with staged events and mentions, and (optionally) the
    resolved mention -> person mapping."""
    con = con if con is not None else duckdb.connect()
    ev = [_provenance({"reference": e["event_id"], **e}, i) for i, e in enumerate(events, 1)]
    mn = [_provenance({"slot": "p1", **m}, i) for i, m in enumerate(mentions, 1)]
    con.register("ev_in", _arrow(STAGED_EVENT, ev))
    con.register("mn_in", _arrow(STAGED_PERSON_MENTION, mn))
    con.execute("CREATE TABLE staged_event AS SELECT * FROM ev_in")
    con.execute("CREATE TABLE staged_person_mention AS SELECT * FROM mn_in")
    if persons is not None:
        mp = pa.table({"mention_id": list(persons), "person_id": list(persons.values())})
        con.register("mp_in", mp)
        con.execute("CREATE TABLE resolved_mention_person AS SELECT * FROM mp_in")
    return con


def crime(
    event_id: str, force: str, day: str, code: str, oic: str, lpc: str, **extra: Any
) -> dict[str, Any]:
    """A crime event."""
    return {
        "event_id": event_id,
        "event_type": "crime",
        "force": force,
        "occurred_from": dt.date.fromisoformat(day),
        "reported_date": dt.date.fromisoformat(day),
        "offence_code": code,
        "oic": oic,
        "lpc": lpc,
        **extra,
    }


def mention(mention_id: str, event_id: str, role: str, force: str, **extra: Any) -> dict[str, Any]:
    """A person mention on an event."""
    return {"mention_id": mention_id, "event_id": event_id, "role": role, "force": force, **extra}


def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """A serial offender P1 (Essex and Cambridgeshire) and three others; see test docs."""
    d = dt.date.fromisoformat
    events = [
        crime("e1", "essex", "2025-11-20", "19C", "ESSEX1001", "North LPA"),
        crime("e2", "essex", "2025-10-01", "20A", "ESSEX1002", "South LPA"),
        crime("e3", "essex", "2025-03-05", "8N", "ESSEX1003", "West LPA"),
        crime("e4", "cambs", "2024-06-01", "8Q", "CAMBS1001", "Fenland"),
        crime("e5", "essex", "2025-06-01", "46", "ESSEX1004", "North LPA"),
        crime("e6", "essex", "2025-05-01", "105A", "ESSEX1005", "North LPA"),
        crime("e7", "essex", "2023-01-01", "8N", "ESSEX1005", "North LPA"),
        crime("e8", "essex", "2025-12-01", "9A", "ESSEX1006", "South LPA"),
        crime(
            "e9",
            "essex",
            "2025-12-15",
            "9A",
            "ESSEX1006",
            "South LPA",
            text="Victim spoken to; safeguarding referral made to MASH",
        ),
        crime("e10", "wmp", "2025-12-20", "19C", "WMP1001", "Coventry"),
        {
            "event_id": "m1",
            "event_type": "missing_episode",
            "force": "essex",
            "occurred_from": d("2025-11-01"),
        },
        {
            "event_id": "m2",
            "event_type": "missing_episode",
            "force": "cambs",
            "occurred_from": d("2025-09-01"),
        },
    ]
    f, m = "F", "M"
    mentions = [
        # P1: the serial offender, 16 on the reference date, one record per crime
        mention(
            "s1", "e1", "suspect", "essex", dob=d("2009-05-01"), gender=m, nationality="British"
        ),
        mention("s2", "e2", "suspect", "essex", dob=d("2009-05-01"), gender=m),
        mention("s3", "e3", "suspect", "essex", dob=d("2009-01-05"), gender=m),  # typo
        mention("s4", "e4", "suspect", "cambs", dob=d("2009-05-01"), gender=m),
        mention("s5", "e5", "suspect", "essex", gender=m, age_at_event=16),
        mention("v1a", "e1", "victim", "essex", dob=d("2000-03-01"), gender=f),
        mention("v1b", "e4", "victim", "cambs", dob=d("2000-03-01"), gender=f),
        mention("v2", "e2", "victim", "essex", dob=d("2012-01-15"), gender=f),
        mention("v3", "e3", "victim", "essex", gender=f, age_at_event=32),
        mention("v2m", "m2", "missing", "cambs", dob=d("2012-01-15"), gender=f),
        # P2: an assault on a man (not VAWG) and an old assault on a woman
        mention("s6", "e6", "suspect", "essex", dob=d("1980-02-02"), gender=m),
        mention("s7", "e7", "suspect", "essex", dob=d("1980-02-02"), gender=m),
        mention("v6", "e6", "victim", "essex", dob=d("1985-01-01"), gender=m),
        mention("v7", "e7", "victim", "essex", dob=d("1985-01-01"), gender=f),
        # P3: two public-order offences against one woman, who also went missing
        mention("s8", "e8", "suspect", "essex", dob=d("1990-07-07"), gender=m),
        mention("s9", "e9", "suspect", "essex", dob=d("1990-07-07"), gender=m),
        mention("v8", "e8", "victim", "essex", dob=d("2008-08-08"), gender=f),
        mention("v9", "e9", "victim", "essex", dob=d("2008-08-08"), gender=f),
        mention("v8m", "m1", "missing", "essex", dob=d("2008-08-08"), gender=f),
        # P4: one rape of a 15-year-old in West Midlands, a child witness
        mention("s10", "e10", "suspect", "wmp", dob=d("1995-01-01"), gender=m),
        mention("v10", "e10", "victim", "wmp", gender=f, age_at_event=15),
        mention("w10", "e10", "witness", "wmp", gender=f, age_at_event=10),
    ]
    persons = {
        **dict.fromkeys(["s1", "s2", "s3", "s4", "s5"], "P1"),
        "v1a": "V1",
        "v1b": "V1",
        "v2": "V2",
        "v2m": "V2",
        "v3": "V3",
        "s6": "P2",
        "s7": "P2",
        "v6": "V6",
        "v7": "V7",
        "s8": "P3",
        "s9": "P3",
        "v8": "V8",
        "v9": "V8",
        "v8m": "V8",
        "s10": "P4",
        "v10": "V10",
        "w10": "W10",
    }
    return events, mentions, persons
