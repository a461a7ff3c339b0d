"""Unit tests of the generator's value helpers."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from toex.synth import contact
from toex.synth.dates import age_on, format_dates, format_ymd, to_days
from toex.synth.formats import file_format
from toex.synth.names import ascii_fold, cp1252_fold, load_nicknames
from toex.synth.variations import dob_digit_typo, typo
from toex.synth.writers import open_sink

PNC = re.compile(r"^\d{4}/\d{7}[A-Z]$")


def test_date_spellings() -> None:
    days = np.array([to_days(dt.date(1990, 3, 5)), -(2**31)])
    assert format_dates(days, "%d/%m/%Y") == ["05/03/1990", None]
    assert format_dates(days, "%d-%b-%Y") == ["05-Mar-1990", None]
    assert format_dates(days, "%Y-%m-%dT00:00:00") == ["1990-03-05T00:00:00", None]
    assert format_dates(days, "excel_serial") == [32937, None]
    assert format_dates(days, "excel_date") == [dt.date(1990, 3, 5), None]
    assert format_ymd(2023, 2, 31, "%d/%m/%Y") == "31/02/2023"
    assert format_ymd(2023, 2, 30, "%d-%b-%Y") == "30-Feb-2023"


def test_age_on_birthday_boundaries() -> None:
    dob = np.array([to_days(dt.date(2009, 12, 31)), to_days(dt.date(2000, 2, 29))])
    on = np.array([to_days(dt.date(2025, 12, 30)), to_days(dt.date(2025, 2, 28))])
    assert age_on(dob, on).tolist() == [15, 24]


def test_pnc_and_cro_formats() -> None:
    assert contact.pnc_id(2009, 123456) == "2009/0123456" + contact.pnc_id(2009, 123456)[-1]
    assert PNC.match(contact.pnc_id(1998, 9999999))
    assert re.match(r"^\d{6}/\d{2}[A-Z]$", contact.cro_number(2011, 4567))
    # the check letter depends on the number
    assert contact.pnc_id(2009, 1)[-1] != contact.pnc_id(2009, 2)[-1]


def test_phone_spellings_of_one_number() -> None:
    n = 7700900123
    spelled = {
        contact.spell_uk(n, p)
        for p in ("{0}{1} {2}", "+44 {1} {2}", "{0}{1}-{2a}-{2b}", "({0}{1}) {2}", "44{1}{2}")
    }
    assert spelled == {
        "07700 900123",
        "+44 7700 900123",
        "07700-900-123",
        "(07700) 900123",
        "447700900123",
    }
    obscured = contact.obscure("07700 900123", 0.3)
    assert obscured != "07700 900123" and any(
        w in obscured for w in ("seven", "zero", "nine", "one", "two", "three")
    )
    assert contact.spell_foreign(40, 721234567, "+{cc} {grouped}") == "+40 721 234 567"


@pytest.mark.parametrize("name", ["Smith", "Li", "O'Brien", "Anna"])
def test_typo_changes_exactly_something(name: str) -> None:
    for u in np.linspace(0, 0.99, 23):
        out = typo(name, float(u), float(0.99 - u), float(u / 2))
        assert out != name
        assert abs(len(out) - len(name)) <= 1


def test_dob_digit_typo_gives_another_valid_date() -> None:
    for u in np.linspace(0, 0.99, 17):
        y, m, d = dob_digit_typo(1990, 2, 28, float(u))
        assert (y, m, d) != (1990, 2, 28)
        dt.date(y, m, d)


def test_ascii_and_cp1252_folding() -> None:
    assert ascii_fold("Ioniță Łukasz Nguyễn") == "Ionita Lukasz Nguyen"
    assert cp1252_fold("Gonçalves Ioniță") == "Gonçalves Ionita"


def test_nickname_table_is_large_and_has_the_classics() -> None:
    table = load_nicknames()
    assert sum(len(v) for v in table.values()) >= 150
    assert {"Bill", "Billy", "Will", "Liam"} <= set(table["William"])
    assert {"Maggie", "Peggy"} <= set(table["Margaret"])


def test_xlsx_archive_has_fixed_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "v.xlsx"
    sink = open_sink(path, file_format("visor", "visor"))
    sink.write(
        [
            [
                "VIS/1",
                "A",
                "B",
                dt.date(1980, 1, 2),
                "M",
                None,
                1,
                2,
                "High",
                dt.date(2020, 5, 6),
                "1 High St",
                "CB1 2AB",
                "19C",
                "C",
                "OFFICIAL",
            ]
        ]
    )
    sink.close()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 12, 31, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2025-12-31T00:00:00Z" in core
