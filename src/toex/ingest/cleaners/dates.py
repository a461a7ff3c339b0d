"""Dates: several formats, Excel serial numbers, ISO date-times, partial dates kept as partial.

Options: ``formats`` (a list of strptime formats, or the names ``iso``, ``excel_serial``), and
``partial`` (keep ``1990``, ``03/1990``, ``Mar-1990``, ``00/03/1990`` as year/month precision).
Outputs for a target ``dob``: ``dob`` (full dates only), and where the table has them
``dob_raw``, ``dob_year``, ``dob_month``, ``dob_precision`` (``day``, ``month``, ``year``).
Impossible dates (``31/02/1990``) do not parse: they are ``bad_date``.
"""

from __future__ import annotations

from typing import ClassVar

from toex.ingest.cleaners.base import Cleaner, CleanerOptionError, sql_str

ISO_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
)
EXCEL_EPOCH = "DATE '1899-12-30'"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def full_date_sql(raw: str, formats: list[str]) -> str:
    """SQL: the first format that parses ``raw`` as a full date, else NULL."""
    parts = []
    for fmt in formats:
        if fmt == "excel_serial":
            parts.append(
                f"CASE WHEN regexp_full_match({raw}, '[0-9]{{1,7}}(\\.[0-9]+)?') "
                f"AND TRY_CAST({raw} AS DOUBLE) BETWEEN 1 AND 2958465 "
                f"THEN {EXCEL_EPOCH} + CAST(floor(CAST({raw} AS DOUBLE)) AS INTEGER) END"
            )
            continue
        expanded = ISO_FORMATS if fmt == "iso" else (fmt,)
        for f in expanded:
            parts.append(
                f"CAST(try_strptime(regexp_replace({raw}, 'Z$', ''), {sql_str(f)}) AS DATE)"
            )
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _month_name_sql(text: str) -> str:
    cases = " ".join(f"WHEN '{m}' THEN {i}" for i, m in enumerate(MONTHS, start=1))
    return f"CASE lower(left({text}, 3)) {cases} END"


def partial_sql(raw: str) -> tuple[str, str]:
    """SQL (year, month) for partial dates: ``1990``, ``03/1990``, ``1990-03``, ``Mar 1990``,
    ``00/03/1990``, ``00/00/1990``; NULLs otherwise."""
    y_only = f"regexp_full_match({raw}, '(00?[/.-]){{0,2}}[0-9]{{4}}')"
    m_y = f"regexp_full_match({raw}, '(00?[/.-])?[0-9]{{1,2}}[/.-][0-9]{{4}}')"
    y_m = f"regexp_full_match({raw}, '[0-9]{{4}}-[0-9]{{1,2}}(-00?)?')"
    name_y = f"regexp_full_match({raw}, '[A-Za-z]{{3,9}}[ /.-][0-9]{{4}}')"
    year = (
        f"CASE WHEN {y_only} OR {m_y} OR {name_y} "
        f"THEN CAST(right({raw}, 4) AS BIGINT) "
        f"WHEN {y_m} THEN CAST(left({raw}, 4) AS BIGINT) END"
    )
    month = (
        f"CASE WHEN {m_y} THEN CAST(regexp_extract({raw}, "
        f"'([0-9]{{1,2}})[/.-][0-9]{{4}}$', 1) AS BIGINT) "
        f"WHEN {y_m} THEN CAST(regexp_extract({raw}, '^[0-9]{{4}}-([0-9]{{1,2}})', 1) "
        f"AS BIGINT) WHEN {name_y} THEN {_month_name_sql(raw)} END"
    )
    month = f"CASE WHEN ({month}) BETWEEN 1 AND 12 THEN ({month}) END"
    return year, month


class DateCleaner(Cleaner):
    """Dates in the listed formats; optionally partial dates as year and month."""

    name = "date"
    summary = "Dates: strptime formats, `iso`, `excel_serial`; `partial: true` keeps 1990, 03/1990."
    reason_code = "bad_date"
    options: ClassVar = {"formats": list, "partial": bool}
    lookup_types: ClassVar = {
        "value": "DATE",
        "year": "BIGINT",
        "month": "BIGINT",
        "precision": "VARCHAR",
    }

    def validate(self) -> None:
        """``formats`` must be a non-empty list of strings."""
        formats = self.args.get("formats", ["iso"])
        if not formats or not all(isinstance(f, str) and f for f in formats):
            raise CleanerOptionError(
                "option 'formats' of cleaner 'date' must be a non-empty list of date formats"
            )
        self.formats = list(formats)
        self.partial = bool(self.args.get("partial", False))
        self.ok_column = "year" if self.partial else "value"

    def outputs(self, target: str) -> dict[str, str]:
        """``target`` and, for partial dates, ``<target>_year/_month/_precision``."""
        out = {target: "value"}
        if self.partial:
            out.update(
                {
                    f"{target}_year": "year",
                    f"{target}_month": "month",
                    f"{target}_precision": "precision",
                }
            )
        return out

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Full date first; then, if allowed, the partial forms."""
        full = full_date_sql(raw, self.formats)
        if not self.partial:
            return {
                "value": full,
                "year": f"year({full})",
                "month": f"month({full})",
                "precision": f"CASE WHEN ({full}) IS NOT NULL THEN 'day' END",
            }
        year, month = partial_sql(raw)
        return {
            "value": full,
            "year": f"coalesce(year({full}), {year})",
            "month": f"CASE WHEN ({full}) IS NOT NULL THEN month({full}) ELSE {month} END",
            "precision": (
                f"CASE WHEN ({full}) IS NOT NULL THEN 'day' "
                f"WHEN ({year}) IS NOT NULL AND ({month}) IS NOT NULL THEN 'month' "
                f"WHEN ({year}) IS NOT NULL THEN 'year' END"
            ),
        }
