"""Coded values: offence codes, 3x5x2 grading, handling codes, classifications, code maps,
booleans, and police identifiers (PNC ID, CRO number).

Offence codes and grades use the model's own parsers (``canonical_offence_code``,
``parse_grading``) in Python over distinct values; the rest is SQL over distinct values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from toex.ingest.cleaners.base import Cleaner, CleanerOptionError, sql_in, sql_str
from toex.model.enums import Classification, HandlingCode
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


class MarkingCleaner(Cleaner):
    """Protective markings, read fail-closed: only exact spellings the mapping accepts.

    A value is accepted when it is one of the mapping's ``values`` written exactly as the
    code list spells it, or a key of the mapping's ``map`` (exact, after trimming). Anything
    else -- empty, another case (``p``), an unknown word (``RESTRICTED``) -- is *unknown*: with
    ``unknown: restrict`` the row gets the most restrictive of ``values`` (a marking above that,
    in any spelling, keeps its own rank: a marking is never lowered); with
    ``unknown: quarantine`` the row is quarantined. Either way each such row is logged in
    ``raw_marking_issue`` (file, row, field) and counted as a value issue. The loader applies
    the policy (``staging_sql``); the lookup here holds the accepted values only.
    """

    #: the code list, least restrictive first (set by subclasses from ``toex.model``)
    order: ClassVar[tuple[str, ...]] = ()
    what: ClassVar[str] = ""
    raw_output = False
    options: ClassVar = {"values": list, "map": dict, "unknown": str}

    def validate(self) -> None:
        """``values`` are code-list members; ``map`` targets among them; ``unknown`` known."""
        values = self.args.get("values", list(self.order))
        if not values:
            raise CleanerOptionError(f"option 'values' of cleaner {self.name!r} is empty")
        for v in values:
            if str(v) not in self.order:
                raise CleanerOptionError(
                    f"option 'values' of cleaner {self.name!r}: {v!r} is not a {self.what} "
                    f"(known: {', '.join(self.order)})"
                )
        for key, target in self.args.get("map", {}).items():
            if str(target) not in values:
                raise CleanerOptionError(
                    f"option 'map' of cleaner {self.name!r}: {key!r} maps to {target!r}, "
                    f"which is not among its values ({', '.join(map(str, values))})"
                )
        if self.args.get("unknown", "restrict") not in UNKNOWN_POLICIES:
            raise CleanerOptionError(
                f"option 'unknown' of cleaner {self.name!r} must be "
                f"{' or '.join(UNKNOWN_POLICIES)}, not {self.args['unknown']!r}"
            )

    @property
    def values(self) -> list[str]:
        """The markings this source uses (default: the whole code list)."""
        return [str(v) for v in self.args.get("values", list(self.order))]

    @property
    def accepted(self) -> dict[str, str]:
        """Spelling as written -> canonical marking, for every accepted spelling."""
        out = {v: v for v in self.values}
        out.update({str(k).strip(): str(v) for k, v in self.args.get("map", {}).items()})
        return out

    @property
    def unknown(self) -> str:
        """``restrict`` or ``quarantine``."""
        return str(self.args.get("unknown", "restrict"))

    @property
    def ceiling(self) -> str:
        """The most restrictive of :attr:`values`: what an unknown marking becomes."""
        return max(self.values, key=self.order.index)

    def above_ceiling(self) -> list[str]:
        """Code-list markings more restrictive than :attr:`ceiling` (never lowered)."""
        return list(self.order[self.order.index(self.ceiling) + 1 :])

    def loose_sql(self, raw: str) -> str:
        """``raw`` with case and separators folded, to spot a marking above the ceiling."""
        return f"regexp_replace(upper({raw}), '[-_ ]+', ' ', 'g')"

    def restricted_sql(self, raw: str) -> str:
        """SQL of the marking an unknown ``raw`` gets under ``unknown: restrict``."""
        cases = " ".join(
            f"WHEN {self.loose_sql(raw)} = {sql_str(m.replace('-', ' '))} THEN {sql_str(m)}"
            for m in self.above_ceiling()
        )
        ceiling = sql_str(self.ceiling)
        return f"CASE {cases} ELSE {ceiling} END" if cases else ceiling

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Exact match against the accepted spellings (after trimming)."""
        cases = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in self.accepted.items())
        return {"value": f"CASE {raw} {cases} END"}


UNKNOWN_POLICIES = ("restrict", "quarantine")


class HandlingCodeCleaner(MarkingCleaner):
    """Handling code ``P`` (sharing permitted) or ``C`` (conditions: more restrictive)."""

    name = "handling_code"
    summary = (
        "Handling code: exactly `P` / `C` (or the mapping's `map` spellings); unknown or empty: "
        "`unknown: restrict` (the most restrictive of `values`) or `quarantine`."
    )
    order = tuple(h.value for h in HandlingCode)  # least restrictive first: P, C
    what = "handling code"


class ClassificationCleaner(MarkingCleaner):
    """Government Security Classification markings."""

    name = "classification"
    summary = (
        "Security classification: exactly OFFICIAL, OFFICIAL-SENSITIVE, SECRET, TOP SECRET (or "
        "the mapping's `map` spellings); unknown or empty: `unknown: restrict` or `quarantine`."
    )
    order = tuple(c.value for c in sorted(Classification, key=lambda c: c.rank))
    what = "classification"


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
