"""Phones: E.164 with phonenumbers (region GB); the SQL fast path agrees with it."""

from __future__ import annotations

import random

from toex.ingest.cleaners.phones import deobfuscate, to_e164

from .conftest import values


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
