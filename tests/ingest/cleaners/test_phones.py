"""Phones: E.164 with phonenumbers (region GB); the SQL fast path agrees with it."""

from __future__ import annotations

import random

import duckdb

from toex.ingest.cleaners.phones import deobfuscate, to_e164, uk_fast_sql

from .conftest import clean, values


def test_phones_to_e164() -> None:
    raw = [
        "07700 900123",
        "+44 7700 900123",
        "0044 7700 900123",
        "(01223) 456789",
        "447700900123",
        "07seven00 900 one23",
        "+40 721 234 567",
        "0048721234567",
        "not a phone",
        "12",
    ]
    assert values("phone", raw) == [
        "+447700900123",
        "+447700900123",
        "+447700900123",
        "+441223456789",
        "+447700900123",
        "+447700900123",
        "+40721234567",
        "+48721234567",
        None,
        None,
    ]


def test_deobfuscate() -> None:
    assert deobfuscate("07seven00 9oo one23") == "07700 900 123"
    assert deobfuscate("oh seven seven double") == "0 7 7 double"


def test_sql_fast_path_matches_phonenumbers() -> None:
    rng = random.Random(3)
    shapes = ["0{m}", "+44 {m}", "0044{m}", "44{m}", "(0{a}) {b}", "0{a}-{b}", "+44 ({a}) {b}"]
    raw = []
    for _ in range(300):
        mobile = f"7{rng.randrange(10**9):09d}"
        land = f"1{rng.randrange(10**9):09d}"
        shape = rng.choice(shapes)
        raw.append(shape.format(m=mobile, a=land[:4], b=land[4:]))
    assert values("phone", raw) == [to_e164(v) for v in raw]


def test_country_code_without_plus_is_cleaned_in_sql_as_phonenumbers_does() -> None:
    rng = random.Random(5)
    mobiles = [f"447{rng.randrange(10**9):09d}" for _ in range(200)]
    lands = [
        f"44{rng.choice('123')}{rng.randrange(10**n):0{n}d}" for n in (8, 9) for _ in range(100)
    ]
    raw = mobiles + lands
    con = duckdb.connect()
    fast = [
        r[0]
        for r in con.execute(
            f"SELECT {uk_fast_sql('raw')} FROM unnest(?::VARCHAR[]) t(raw)", [raw]
        ).fetchall()
    ]
    assert all(f is not None for f in fast)  # none of these needs Python
    assert fast == [to_e164(v) for v in raw]


def test_a_too_long_value_has_a_lookup_row_of_nulls() -> None:
    long = "0" * 1_001
    assert clean("phone", ["07700 900123", long])[long] == {"value": None}
    assert clean("surname", ["Smith", long])[long] == {"value": None}
