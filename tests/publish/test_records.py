"""The access tables: a scope-independent summary per record and person, checked against
the record-by-record rule (:func:`toex.publish.scope.permitted_sql`) on random data."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from toex.assess.config import load_assess_config
from toex.ops.access import AccessScope
from toex.publish.records import PERSON, RECORD, access_steps, run_temp, visible_sql

FORCES = ("cambs", "essex", "norfolk", None)
CODES = ("P", "C", None)
MARKS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET", "RESTRICTED", None)


def random_warehouse(seed: int) -> tuple[duckdb.DuckDBPyConnection, list[dict[str, object]]]:
    """Events with mentions of persons, each row with random markings (some unknown or
    missing); mentions of a missing event stand alone."""
    rng = random.Random(seed)
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE staged_event (event_id VARCHAR, event_type VARCHAR, force VARCHAR, "
        "handling_code VARCHAR, classification VARCHAR, offence_code VARCHAR, reference VARCHAR, "
        "lpc VARCHAR, oic VARCHAR, occurred_from DATE, reported_date DATE, vawg BOOLEAN)"
    )
    con.execute(
        "CREATE TABLE staged_person_mention (mention_id VARCHAR, event_id VARCHAR, role VARCHAR, "
        "gender VARCHAR, force VARCHAR, handling_code VARCHAR, classification VARCHAR)"
    )
    con.execute("CREATE TABLE resolved_mention_person (mention_id VARCHAR, person_id VARCHAR)")
    con.execute(
        "CREATE TABLE assess_harm_weight (code VARCHAR, days DOUBLE, vawg BOOLEAN, "
        "vawg_context BOOLEAN)"
    )
    events, mentions = [], []
    for e in range(60):
        f = rng.choice(FORCES[:3])
        events.append((f"E{e}", "crime", f, rng.choice(CODES[:2]), rng.choice(MARKS[:3])))

    def pick(valid: tuple[object, ...], every: tuple[object, ...], usual: object) -> object:
        roll = rng.random()
        return usual if roll < 0.6 else rng.choice(valid) if roll < 0.95 else rng.choice(every)

    for m in range(150):
        e = rng.randrange(64)  # E60-E63 do not exist: those mentions stand alone
        usual = events[e] if e < 60 else (None, None, "cambs", "P", "OFFICIAL")
        mentions.append(
            {
                "mention_id": f"M{m}",
                "event_id": f"E{e}",
                "person_id": f"P{rng.randrange(90)}",
                "force": pick(FORCES[:3], FORCES, usual[2]),
                "handling_code": pick(CODES[:2], CODES, usual[3]),
                "classification": pick(MARKS[:3], MARKS, usual[4]),
            }
        )
    con.executemany(
        "INSERT INTO staged_event VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, DATE "
        "'2025-01-01', NULL, FALSE)",
        events,
    )
    con.executemany(
        "INSERT INTO staged_person_mention VALUES (?, ?, 'victim', 'F', ?, ?, ?)",
        [
            (m["mention_id"], m["event_id"], m["force"], m["handling_code"], m["classification"])
            for m in mentions
        ],
    )
    con.executemany(
        "INSERT INTO resolved_mention_person VALUES (?, ?)",
        [(m["mention_id"], m["person_id"]) for m in mentions],
    )
    event_rows = {
        e[0]: {"force": e[2], "handling_code": e[3], "classification": e[4]} for e in events
    }
    for m in mentions:
        m["event"] = event_rows.get(str(m["event_id"]))
    return con, mentions


def permits(scope: AccessScope, row: dict[str, object]) -> bool:
    return (
        row["force"] in scope.forces
        and row["handling_code"] in scope.handling_codes
        and row["classification"] in scope.classifications
    )


def oracle(scope: AccessScope, mentions: list[dict[str, object]]) -> set[str]:
    """Persons every record of whom (event and every mention on it) the scope permits."""
    by_event: dict[object, list[dict[str, object]]] = {}
    for m in mentions:
        by_event.setdefault(m["event_id"], []).append(m)
    ok: dict[str, bool] = {}
    for m in mentions:
        if m["event"] is None:
            fine = permits(scope, m)
        else:
            fine = permits(scope, m["event"]) and all(  # type: ignore[arg-type]
                permits(scope, other) for other in by_event[m["event_id"]]
            )
        ok[str(m["person_id"])] = ok.get(str(m["person_id"]), True) and fine
    return {p for p, v in ok.items() if v}


@pytest.mark.parametrize("seed", range(6))
def test_visible_persons_match_the_record_by_record_rule(seed: int) -> None:
    con, mentions = random_warehouse(seed)
    run_temp(con, access_steps(load_assess_config(), dt.date(2025, 12, 31)))
    rng = random.Random(100 + seed)
    sizes = []
    for _ in range(8):
        scope = AccessScope(
            frozenset(rng.sample(["cambs", "essex", "norfolk"], rng.randint(0, 3))),
            frozenset(rng.sample(["P", "C"], rng.randint(1, 2))),
            rng.choice(["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"]),
        )
        got = {
            r[0]
            for r in con.execute(
                f"SELECT person_id FROM {PERSON} AS p WHERE {visible_sql(scope, 'p')}"
            ).fetchall()
        }
        assert got == oracle(scope, mentions), scope
        sizes.append(len(got))
    assert max(sizes) >= 5 and min(sizes) == 0  # the draws show and hide people


def test_unknown_and_missing_markings_are_never_visible() -> None:
    con, _ = random_warehouse(1)
    run_temp(con, access_steps(load_assess_config(), dt.date(2025, 12, 31)))
    everything = AccessScope(
        frozenset({"cambs", "essex", "norfolk"}), frozenset({"P", "C"}), "TOP SECRET"
    )
    hidden = con.execute(
        f"SELECT count(*) FROM {PERSON} AS p WHERE {visible_sql(everything, 'p')} AND "
        "p.person_id IN (SELECT mp.person_id FROM resolved_mention_person mp JOIN "
        "staged_person_mention m USING (mention_id) WHERE m.classification IS NULL "
        "OR m.classification = 'RESTRICTED' OR m.force IS NULL OR m.handling_code IS NULL)"
    ).fetchone()
    assert hidden == (0,)
    ranks = dict(con.execute(f"SELECT event_id, mrank FROM {RECORD}").fetchall())
    assert set(ranks.values()) <= {0, 1, 2, 3, 99}
