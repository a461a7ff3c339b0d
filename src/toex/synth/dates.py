"""Dates as day numbers, and their spellings in each export format.

The generator holds every date as an integer number of days since 1970-01-01 (negative before
it) in numpy arrays; :data:`NO_DATE` marks an absent date. :func:`format_dates` writes them
the way a file format spells dates: ``strftime``-like patterns (with English month
abbreviations, whatever the locale), Excel serial numbers, or ``datetime.date`` values for
real Excel date cells.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

NO_DATE = -(2**31)
EPOCH = dt.date(1970, 1, 1)
EXCEL_EPOCH_SERIAL = 25569  # Excel (1900 system) serial number of 1970-01-01
EXCEL_LEAP_BUG = -25508  # day number of 1900-03-01: Excel counts a 29 February 1900 before it
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_days(value: dt.date) -> int:
    """Day number of a date."""
    return (value - EPOCH).days


def from_days(days: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(days))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day arrays of day numbers."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    year = y.astype(np.int64) + 1970
    month = (m - y.astype("datetime64[M]")).astype(np.int64) + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def days_of(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day numbers of (valid) year, month, day arrays."""
    y = np.asarray(year, dtype=np.int64)
    months = (y - 1970) * 12 + np.asarray(month, dtype=np.int64) - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + np.asarray(day, dtype=np.int64) - 1


def is_valid(year: int, month: int, day: int) -> bool:
    """Whether year/month/day is a real calendar date."""
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def format_ymd(year: int, month: int, day: int, fmt: str) -> str:
    """Spell year/month/day (valid or not, e.g. 31 February) with a strftime-like pattern."""
    month_name = MONTHS[month - 1] if 1 <= month <= 12 else f"{month:02d}"
    return (
        fmt.replace("%d", f"{day:02d}")
        .replace("%m", f"{month:02d}")
        .replace("%Y", f"{year:04d}")
        .replace("%b", month_name)
    )


def format_day(days: int, fmt: str) -> Any:
    """One day number in format ``fmt`` (None when it is :data:`NO_DATE`)."""
    if days == NO_DATE:
        return None
    if fmt == "excel_serial":
        return int(days) + EXCEL_EPOCH_SERIAL - (1 if days < EXCEL_LEAP_BUG else 0)
    date = from_days(days)
    if fmt == "excel_date":
        return date
    return format_ymd(date.year, date.month, date.day, fmt)


def format_dates(days: np.ndarray, fmt: str) -> list[Any]:
    """Day numbers in format ``fmt``; absent dates become None."""
    arr = np.asarray(days, dtype=np.int64)
    if arr.size == 0:
        return []
    uniq, inverse = np.unique(arr, return_inverse=True)
    spelled = np.empty(len(uniq), dtype=object)
    spelled[:] = [format_day(int(u), fmt) for u in uniq]
    return list(spelled[inverse])


def age_on(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years of age on day ``on`` of people born on ``dob`` (both day numbers)."""
    by, bm, bd = ymd(dob)
    oy, om, od = ymd(on)
    before = (om < bm) | ((om == bm) & (od < bd))
    return (oy - by - before.astype(np.int64)).astype(np.int64)
