"""Fixtures for resolution tests.

Strategy: a tiny warehouse built inline from a seeded population of people (``population``),
each with a few mentions carrying the variations police data holds (nicknames, typos,
transposed DOBs, missing fields). The truth (``person``) travels with each mention so tests
assert against it. Integration tests on the generator's data use ``tiny_synth``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pytest
from ibis.backends.duckdb import Backend as IbisDuckDB

from toex.model.tables import STAGED_EVENT, STAGED_LOCATION, STAGED_OBJECT, STAGED_PERSON_MENTION

FORENAMES = [
    "WILLIAM",
    "JAMES",
    "JOHN",
    "ROBERT",
    "MICHAEL",
    "DAVID",
    "THOMAS",
    "DANIEL",
    "MARGARET",
    "ELIZABETH",
    "SARAH",
    "EMMA",
    "JESSICA",
    "REBECCA",
    "KATHERINE",
    "ANDREW",
    "CHRISTOPHER",
    "MATTHEW",
    "JOSEPH",
    "RICHARD",
    "SAMANTHA",
    "VICTORIA",
    "OLIVER",
    "HARRY",
    "GEORGE",
    "JACK",
    "CHARLOTTE",
    "SOPHIE",
    "AMELIA",
    "LUCY",
    "PIOTR",
    "ANDREI",
    "IONUT",
    "MOHAMMED",
    "ADEBAYO",
    "CHIDI",
    "KIERAN",
    "CONNOR",
    "LIAM",
    "NATHAN",
    "ZOE",
    "HANNAH",
    "GEMMA",
    "CLAIRE",
    "TRACEY",
    "ASHLEY",
]
SURNAMES = [
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "ROBINSON",
    "WRIGHT",
    "THOMPSON",
    "EVANS",
    "WALKER",
    "WHITE",
    "ROBERTS",
    "GREEN",
    "HALL",
    "WOOD",
    "JACKSON",
    "CLARKE",
    "KOWALSKI",
    "NOWAK",
    "POPESCU",
    "IONESCU",
    "OKAFOR",
    "ADEYEMI",
    "KHAN",
    "AHMED",
    "PATEL",
    "MURPHY",
    "OBRIEN",
    "KELLY",
    "MACDONALD",
    "CAMPBELL",
    "STEWART",
    "ANDERSON",
    "SCOTT",
    "MORRIS",
    "COOK",
    "BELL",
    "BAILEY",
    "COOPER",
    "RICHARDSON",
    "COX",
    "HOWARD",
    "WARD",
    "TORRES",
    "PETERSON",
    "GRAY",
    "RAMIREZ",
    "JAMES",
    "WATSON",
    "BROOKS",
    "KELLY",
    "SANDERS",
    "PRICE",
    "BENNETT",
    "WOOD",
    "BARNES",
    "ROSS",
    "HENDERSON",
    "COLEMAN",
    "JENKINS",
    "PERRY",
]
NICK = {
    "WILLIAM": "BILL",
    "JAMES": "JIM",
    "ROBERT": "BOB",
    "MICHAEL": "MIKE",
    "MARGARET": "PEGGY",
    "ELIZABETH": "LIZ",
    "KATHERINE": "KATE",
    "ANDREW": "ANDY",
    "CHRISTOPHER": "CHRIS",
    "JOSEPH": "JOE",
    "RICHARD": "DICK",
    "THOMAS": "TOM",
}
FORCES = ["CAM", "ESS", "HRT", "NFK"]


def _typo(s: str, rnd: random.Random) -> str:
    i = rnd.randrange(1, len(s))
    return s[:i] + rnd.choice("AEIOURSTN") + s[i + 1 :]


def population(
    n_people: int, seed: int = 1, mentions: tuple[int, int] = (1, 5)
) -> list[dict[str, Any]]:
    """Mentions of ``n_people`` seeded people; each dict carries its true ``person``."""
    rnd = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for p in range(n_people):
        fn, sn = rnd.choice(FORENAMES), rnd.choice(SURNAMES)
        dob = dt.date(1960, 1, 1) + dt.timedelta(days=rnd.randrange(16000))
        gender = (
            "F"
            if fn
            in {
                "MARGARET",
                "ELIZABETH",
                "SARAH",
                "EMMA",
                "JESSICA",
                "REBECCA",
                "KATHERINE",
                "SAMANTHA",
                "VICTORIA",
                "CHARLOTTE",
                "SOPHIE",
                "AMELIA",
                "LUCY",
                "ZOE",
                "HANNAH",
                "GEMMA",
                "CLAIRE",
                "TRACEY",
            }
            else "M"
        )
        phone = f"+4477009{rnd.randrange(10**5):05d}" if rnd.random() < 0.7 else None
        pc = (
            f"CB{rnd.randrange(1, 9)} {rnd.randrange(1, 9)}{rnd.choice('ABDEF')}"
            f"{rnd.choice('GHJLN')}"
        )
        pnc = (
            f"{rnd.randrange(1990, 2020)}/{rnd.randrange(10**7):07d}X"
            if rnd.random() < 0.3
            else None
        )
        home = rnd.choice(FORCES)
        for k in range(rnd.randint(*mentions)):
            m: dict[str, Any] = {
                "person": f"T{p:05d}",
                "forename": fn,
                "surname": sn,
                "dob": dob,
                "gender": gender,
                "phone": phone,
                "postcode": pc,
                "pnc_id": pnc,
                "force": home if rnd.random() < 0.8 else rnd.choice(FORCES),
            }
            if k > 0:
                r = rnd.random()
                if r < 0.1 and fn in NICK:
                    m["forename"] = NICK[fn]
                elif r < 0.16:
                    m["forename"] = _typo(fn, rnd)
                elif r < 0.22:
                    m["surname"] = _typo(sn, rnd)
                r = rnd.random()
                if r < 0.05 and dob.day <= 12:
                    m["dob"] = dt.date(dob.year, dob.day, dob.month)
                elif r < 0.12:
                    m["dob"] = None
                if rnd.random() < 0.3:
                    m["phone"] = None
                if rnd.random() < 0.1:
                    m["pnc_id"] = None
            rows.append(m)
    return rows


def _mention_row(i: int, m: dict[str, Any]) -> dict[str, Any]:
    dob = m.get("dob")
    row: dict[str, Any] = {c: None for c in STAGED_PERSON_MENTION.column_names}
    row.update(
        {
            "mention_id": m.get("mention_id", f"M{i:06d}"),
            "event_id": f"E{i:06d}",
            "role": "suspect",
            "slot": "suspect1",
            "forename": m.get("forename"),
            "surname": m.get("surname"),
            "forename_raw": m.get("forename"),
            "surname_raw": m.get("surname"),
            "middle_names": m.get("middle_names"),
            "dob": dob,
            "dob_year": m.get("dob_year", dob.year if dob else None),
            "dob_month": m.get("dob_month", dob.month if dob else None),
            "dob_precision": "day" if dob else None,
            "gender": m.get("gender", "U"),
            "pnc_id": m.get("pnc_id"),
            "cro_number": m.get("cro_number"),
            "phone": m.get("phone"),
            "email": m.get("email"),
            "postcode": m.get("postcode"),
            "force": m.get("force", "CAM"),
            "source_system": "test",
            "source_file": "test.csv",
            "source_row": i + 1,
            "source_record_id": f"R{i}",
            "record_hash": f"h{i}",
            "load_id": "L1",
            "handling_code": "P",
            "classification": "OFFICIAL",
        }
    )
    return row


def make_warehouse(path: Path, mentions: list[dict[str, Any]]) -> IbisDuckDB:
    """A DuckDB warehouse at ``path`` holding the given mentions (other staged tables empty).

    Mentions get IDs ``M000000``... in order unless they carry ``mention_id``.
    """
    wh = ibis.duckdb.connect(str(path))
    rows = [_mention_row(i, m) for i, m in enumerate(mentions)]
    wh.create_table(
        "staged_person_mention",
        ibis.memtable(rows, schema=STAGED_PERSON_MENTION.ibis_schema()),
        overwrite=True,
    )
    for spec in (STAGED_EVENT, STAGED_OBJECT, STAGED_LOCATION):
        wh.create_table(spec.name, schema=spec.ibis_schema(), overwrite=True)
    return wh


def truth_of(mentions: list[dict[str, Any]]) -> dict[str, str]:
    """``mention_id -> person`` for mentions built by :func:`make_warehouse`."""
    return {m.get("mention_id", f"M{i:06d}"): m["person"] for i, m in enumerate(mentions)}


@pytest.fixture
def warehouse_factory(tmp_path: Path) -> Iterator[Any]:
    """Build warehouses under a temp dir; closes them after the test."""
    made: list[IbisDuckDB] = []

    def make(mentions: list[dict[str, Any]], name: str = "wh") -> IbisDuckDB:
        wh = make_warehouse(tmp_path / f"{name}.duckdb", mentions)
        made.append(wh)
        return wh

    yield make
    for wh in made:
        wh.disconnect()


TEST_SPEC_KW: dict[str, Any] = {"u_max_pairs": 3e5, "em_max_pairs": None}
"""Training sizes for tests (the defaults are tuned for millions of mentions)."""


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The person model trained once on an 800-person population: ``params`` and the
    ``mentions`` it was trained on."""
    from toex.resolve.run import ResolveConfig, resolve_people
    from toex.resolve.specs import person_spec

    mentions = population(800, seed=3)
    wh = make_warehouse(tmp_path_factory.mktemp("trained") / "wh.duckdb", mentions)
    try:
        res = resolve_people(
            wh, run_id="train", config=ResolveConfig(spec=person_spec(**TEST_SPEC_KW))
        )
        assign = dict(
            wh.con.execute("SELECT mention_id, person_id FROM resolved_mention_person").fetchall()
        )
    finally:
        wh.disconnect()
    return {"params": res.params, "mentions": mentions, "assign": assign}


def assignment(wh: IbisDuckDB) -> dict[str, str]:
    """``mention_id -> person_id`` of the warehouse's last resolution."""
    return dict(
        wh.con.execute("SELECT mention_id, person_id FROM resolved_mention_person").fetchall()
    )


def run(
    wh: IbisDuckDB,
    run_id: str,
    *,
    params: Any,
    previous: dict[str, str] | None = None,
    decisions: list[tuple[str, str, bool]] | None = None,
) -> dict[str, str]:
    """Resolve ``wh`` with trained ``params``; returns the new assignment."""
    import pyarrow as pa

    from toex.resolve.run import resolve_people

    prev = (
        None
        if previous is None
        else pa.table({"mention_id": list(previous), "person_id": list(previous.values())})
    )
    resolve_people(wh, run_id=run_id, params=params, previous=prev, decisions=decisions)
    return assignment(wh)
