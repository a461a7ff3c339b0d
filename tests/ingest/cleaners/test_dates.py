"""Dates: formats, Excel serials, ISO date-times, impossible dates, partial dates."""

from __future__ import annotations

import datetime as dt

from .conftest import clean, values

D = dt.date


def test_formats_in_order_and_impossible_dates() -> None:
    assert values(
        "date", ["05/03/1990", "5/3/1990", "31/02/1990", "1990-03-05", "junk"], formats=["%d/%m/%Y"]
    ) == [D(1990, 3, 5), D(1990, 3, 5), None, None, None]
    assert (
        values(
            "date", ["05-Mar-1990", "05-MAR-1990", "1990-03-05"], formats=["%d-%b-%Y", "%Y-%m-%d"]
        )
        == [D(1990, 3, 5)] * 3
    )


def test_iso_date_times_and_excel_serials() -> None:
    assert (
        values(
            "date",
            ["1990-03-05T00:00:00", "1990-03-05", "1990-03-05T10:11:12Z", "1990-03-05 10:11:12.5"],
        )
        == [D(1990, 3, 5)] * 4
    )
    assert values("date", ["32937", "32937.0", "0", "99999999"], formats=["excel_serial"]) == [
        D(1990, 3, 5),
        D(1990, 3, 5),
        None,
        None,
    ]


def test_partial_dates_are_kept_as_partial() -> None:
    out = clean(
        "date",
        [
            "05/03/1990",
            "1990",
            "03/1990",
            "Mar 1990",
            "00/03/1990",
            "00/00/1990",
            "13/1990",
            "31/02/1990",
        ],
        formats=["%d/%m/%Y"],
        partial=True,
    )
    got = {k: (v["value"], v["year"], v["month"], v["precision"]) for k, v in out.items()}
    assert got == {
        "05/03/1990": (D(1990, 3, 5), 1990, 3, "day"),
        "1990": (None, 1990, None, "year"),
        "03/1990": (None, 1990, 3, "month"),
        "Mar 1990": (None, 1990, 3, "month"),
        "00/03/1990": (None, 1990, 3, "month"),
        "00/00/1990": (None, 1990, None, "year"),
        "13/1990": (None, 1990, None, "year"),
        "31/02/1990": (None, None, None, None),
    }
