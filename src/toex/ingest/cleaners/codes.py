"""Coded values: offence codes, 3x5x2 grading, handling codes, classifications, code maps,
booleans, and police identifiers (PNC ID, CRO number).

Offence codes and grades use the model's own parsers (``canonical_offence_code``,
``parse_grading``) in Python over distinct values; the rest is SQL over distinct values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from toex.ingest.cleaners.base import Cleaner, CleanerOptionError, sql_in, sql_str
from toex.model.enums import Classification
from toex.model.grading import parse_grading
from toex.model.offences import canonical_offence_code

DEFAULT_TRUE = ["y", "yes", "true", "t", "1"]
DEFAULT_FALSE = ["n", "no", "false", "f", "0"]


class OffenceCodeCleaner(Cleaner):
    """Home Office offence codes checked against the model's table."""

    name = "offence_code"
    summary = "Home Office offence code, canonical form, checked against the model's table."
    reason_code = "unknown_offence_code"

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Canonical code of each distinct value (``None`` when not in the table)."""
        return {"value": [canonical_offence_code(v) for v in values]}


class GradingCleaner(Cleaner):
    """3x5x2 grades in any common spelling, stored as ``1AP``."""

    name = "grading"
    summary = "3x5x2 grade in any common spelling, stored as `1AP`."
    raw_output = False

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """Parsed grade of each distinct value."""
        grades = [parse_grading(v) for v in values]
        return {"value": [str(g) if g else None for g in grades]}


class HandlingCodeCleaner(Cleaner):
    """Handling code ``P`` (sharing permitted) or ``C`` (conditions)."""

    name = "handling_code"
    summary = "Handling code: P / C (also `Permitted`, `Conditions`)."
    raw_output = False

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """First letter of ``P``/``permitted``, ``C``/``conditions``/``conditional``."""
        u = f"upper(trim({raw}))"
        return {
            "value": f"CASE WHEN {u} IN ('P', 'PERMITTED') THEN 'P' "
            f"WHEN {u} IN ('C', 'CONDITIONS', 'CONDITIONAL') THEN 'C' END"
        }


class ClassificationCleaner(Cleaner):
    """Government Security Classification markings."""

    name = "classification"
    summary = "Security classification: OFFICIAL, OFFICIAL-SENSITIVE (also `OS`), SECRET, ..."
    raw_output = False

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Spaces, dashes and underscores are one separator; ``OS`` is OFFICIAL-SENSITIVE."""
        u = f"regexp_replace(upper(trim({raw})), '[-_ ]+', ' ', 'g')"
        cases = " ".join(
            f"WHEN {sql_str(c.value.replace('-', ' '))} THEN {sql_str(c.value)}"
            for c in Classification
        )
        return {
            "value": f"CASE {u} {cases} WHEN 'OS' THEN 'OFFICIAL-SENSITIVE' "
            "WHEN 'O S' THEN 'OFFICIAL-SENSITIVE' END"
        }


class CodeMapCleaner(Cleaner):
    """Source codes to canonical values through the mapping's ``map`` (case-insensitive)."""

    name = "code"
    summary = "Code map: `map: {Source: canonical}`, case-insensitive; `other: keep` keeps others."
    options: ClassVar = {"map": dict, "other": str}

    def validate(self) -> None:
        """``map`` is required; ``other`` is ``null`` (default) or ``keep``."""
        if "map" not in self.args or not self.args["map"]:
            raise CleanerOptionError("cleaner 'code' needs a non-empty option 'map'")
        if self.args.get("other", "null") not in ("null", "keep"):
            raise CleanerOptionError("option 'other' of cleaner 'code' must be null or keep")

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """A CASE over the lower-cased keys."""
        cases = " ".join(
            f"WHEN {sql_str(str(k).strip().lower())} THEN {sql_str(str(v))}"
            for k, v in self.args["map"].items()
        )
        other = raw if self.args.get("other") == "keep" else "NULL"
        return {"value": f"CASE lower(trim({raw})) {cases} ELSE {other} END"}


class BoolCleaner(Cleaner):
    """Booleans from the mapping's ``true``/``false`` spellings (defaults: Y/N, yes/no, 1/0)."""

    name = "bool"
    summary = "Boolean; options `true: [...]`, `false: [...]` (default Y/Yes/True/1, N/No/False/0)."
    options: ClassVar = {"true": list, "false": list}
    lookup_types: ClassVar = {"value": "BOOLEAN"}

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """A CASE over the lower-cased spellings."""
        true = [str(v).lower() for v in self.args.get("true", DEFAULT_TRUE)]
        false = [str(v).lower() for v in self.args.get("false", DEFAULT_FALSE)]
        low = f"lower(trim({raw}))"
        return {
            "value": f"CASE WHEN {low} IN {sql_in(true)} THEN TRUE "
            f"WHEN {low} IN {sql_in(false)} THEN FALSE END"
        }


class PncCleaner(Cleaner):
    """Police National Computer IDs as ``YYYY/NNNNNNNL`` (``01/12345X`` -> ``2001/0012345X``)."""

    name = "pnc"
    summary = "PNC ID normalised to YYYY/NNNNNNNL (two-digit years: 00-39 -> 20xx, else 19xx)."

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Regex split into year, number and check letter."""
        p = f"regexp_replace(upper({raw}), '\\s', '', 'g')"
        shape = "([0-9]{2}|[0-9]{4})/?([0-9]{1,7})([A-Z])"
        year = f"regexp_extract({p}, '^{shape}$', 1)"
        year4 = (
            f"CASE WHEN length({year}) = 4 THEN {year} "
            f"WHEN CAST({year} AS INTEGER) < 40 THEN '20' || {year} ELSE '19' || {year} END"
        )
        number = f"lpad(regexp_extract({p}, '^{shape}$', 2), 7, '0')"
        letter = f"regexp_extract({p}, '^{shape}$', 3)"
        return {
            "value": f"CASE WHEN regexp_full_match({p}, '{shape}') "
            f"THEN {year4} || '/' || {number} || {letter} END"
        }


class CroCleaner(Cleaner):
    """Criminal Records Office numbers: upper case, no spaces, ``NNNNNN/YYL`` shape."""

    name = "cro"
    summary = "CRO number: upper case, no spaces, shape NNNNNN/YYL."

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Shape check after removing spaces."""
        p = f"regexp_replace(upper({raw}), '\\s', '', 'g')"
        return {
            "value": f"CASE WHEN regexp_full_match({p}, '[0-9]{{1,6}}/[0-9]{{2}}[A-Z]') "
            f"THEN {p} END"
        }
