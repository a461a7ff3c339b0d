"""The partner website's data as STIM reads it: five frames with fixed columns.

:class:`PartnerData` is the contract between the I/O edge (the stage reads it from the
warehouse's ``staged_*`` tables, see :mod:`toex.assess.stim.stage`; the benchmark builds
it directly) and the pure core (:mod:`toex.assess.stim.compute`). Phones are kept *as
written*: the core de-obfuscates and normalises them itself, because ingest's phone cleaner
cannot read spelled-out digits. Nationality is carried for breakdowns only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "account_id",
    "partner",
    "created",
    "display_name",
    "email",
    "phone_raw",
    "nationality",
    "home_region",
)
ADVERT_COLUMNS: tuple[str, ...] = (
    "advert_id",
    "account_id",
    "partner",
    "posted",
    "region",
    "title",
    "text",
    "phone_raw",
    "email",
)
PAYMENT_COLUMNS: tuple[str, ...] = (
    "payment_id",
    "account_id",
    "partner",
    "paid",
    "amount",
    "payer_name",
    "payer_token",
    "payer_email",
    "payer_phone_raw",
    "payer_title",
)
CALL_FLAGS: tuple[str, ...] = (
    "language_barrier",
    "vague_misleading",
    "avoided_call",
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)
CALL_COLUMNS: tuple[str, ...] = (
    "call_id",
    "account_id",
    "partner",
    "call_date",
    "staff_id",
    "notes",
    *CALL_FLAGS,
)
RECORD_COLUMNS: tuple[str, ...] = (
    "account_id",
    "partner",
    "indicator",
    "present",
    "recorded_on",
    "recorded_by",
)

_DATE_COLUMNS = {"created", "posted", "paid", "call_date", "recorded_on"}


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty frame with these columns (object dtype; dates as ``datetime.date``)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def conform(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with exactly ``columns`` (missing ones filled with None), dates as dates,
    call flags as booleans, identifiers as strings."""
    if frame is None or len(frame) == 0:
        return empty_frame(columns)
    out = frame.reindex(columns=list(columns)).copy()
    for col in columns:
        if col in _DATE_COLUMNS:
            out[col] = pd.to_datetime(out[col], errors="coerce").dt.date
            out[col] = out[col].astype("object").where(out[col].notna(), other=None)  # type: ignore[call-overload]
        elif col in CALL_FLAGS or col == "present":
            out[col] = out[col].map(_truthy).astype(bool)
        elif col.endswith("_id") or col == "partner":
            out[col] = _as_text(out[col])
    return out.reset_index(drop=True)


def _as_text(column: pd.Series) -> pd.Series:
    """Values as strings, nulls (None or NaN) as None, column-wise."""
    present = column.notna().to_numpy()
    values = np.full(len(column), None, dtype=object)
    values[present] = column[present].astype(str).to_numpy(dtype=object)
    return pd.Series(values, index=column.index, dtype="object")


def _truthy(value: object) -> bool:
    if value is None or value != value:
        return False
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "y", "t"}


@dataclass
class PartnerData:
    """Accounts, adverts, payments, staff calls and partner-user indicator records."""

    accounts: pd.DataFrame = field(default_factory=lambda: empty_frame(ACCOUNT_COLUMNS))
    adverts: pd.DataFrame = field(default_factory=lambda: empty_frame(ADVERT_COLUMNS))
    payments: pd.DataFrame = field(default_factory=lambda: empty_frame(PAYMENT_COLUMNS))
    calls: pd.DataFrame = field(default_factory=lambda: empty_frame(CALL_COLUMNS))
    records: pd.DataFrame = field(default_factory=lambda: empty_frame(RECORD_COLUMNS))

    def conformed(self) -> PartnerData:
        """A copy whose frames have exactly the contract's columns and types."""
        return PartnerData(
            conform(self.accounts, ACCOUNT_COLUMNS),
            conform(self.adverts, ADVERT_COLUMNS),
            conform(self.payments, PAYMENT_COLUMNS),
            conform(self.calls, CALL_COLUMNS),
            conform(self.records, RECORD_COLUMNS),
        )

    def sorted(self) -> PartnerData:
        """A copy with every frame in identifier order (accounts by account, adverts by
        advert, ...), so computations over it do not depend on the order rows were read."""

        def by(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
            present = [c for c in cols if c in frame.columns]
            if not present or frame.empty:
                return frame.reset_index(drop=True)
            first = frame[present[0]]
            if first.notna().all() and first.is_unique and first.is_monotonic_increasing:
                return frame.reset_index(drop=True)  # already in order (read with ORDER BY)
            keyed = frame.assign(**{f"__k{i}": frame[c].astype(str) for i, c in enumerate(present)})
            keys = [f"__k{i}" for i in range(len(present))]
            return keyed.sort_values(keys, kind="stable").drop(columns=keys).reset_index(drop=True)

        return PartnerData(
            by(self.accounts, ["account_id", "partner"]),
            by(self.adverts, ["advert_id", "account_id"]),
            by(self.payments, ["payment_id", "account_id"]),
            by(self.calls, ["call_id", "account_id"]),
            by(self.records, ["account_id", "indicator", "recorded_on", "recorded_by"]),
        )

    def with_records(self, records: pd.DataFrame) -> PartnerData:
        """A copy with partner-user indicator records added."""
        merged = pd.concat([self.records, conform(records, RECORD_COLUMNS)], ignore_index=True)
        return PartnerData(self.accounts, self.adverts, self.payments, self.calls, merged)


@dataclass(frozen=True)
class Window:
    """A date range, both ends inclusive; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def mask(self, dates: pd.Series) -> pd.Series:
        """Which of ``dates`` fall in the window (unknown dates only in an open window)."""
        keep = pd.Series(True, index=dates.index)
        if self.start is None and self.end is None:
            return keep
        stamps = pd.to_datetime(dates, errors="coerce")
        keep &= stamps.notna()
        if self.start is not None:
            keep &= stamps >= pd.Timestamp(self.start)
        if self.end is not None:
            keep &= stamps <= pd.Timestamp(self.end)
        return keep

    def label(self) -> str:
        """ "2022-08-01 to 2022-10-31", "from ...", "to ..." or "all dates"."""
        if self.start and self.end:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"from {self.start.isoformat()}"
        if self.end:
            return f"to {self.end.isoformat()}"
        return "all dates"


def restrict(data: PartnerData, window: Window) -> PartnerData:
    """Adverts, payments, calls and records dated in the window; accounts are kept whole
    (an account's registration is not an event of the period)."""
    return PartnerData(
        data.accounts,
        data.adverts[window.mask(data.adverts["posted"])].reset_index(drop=True),
        data.payments[window.mask(data.payments["paid"])].reset_index(drop=True),
        data.calls[window.mask(data.calls["call_date"])].reset_index(drop=True),
        data.records[window.mask(data.records["recorded_on"])].reset_index(drop=True),
    )
