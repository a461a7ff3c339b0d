"""Plain values: text (trimmed), upper/lower case, integers and amounts."""

from __future__ import annotations

from typing import ClassVar

from toex.ingest.cleaners.base import Cleaner


class TextCleaner(Cleaner):
    """The trimmed value as written (the default cleaner)."""

    name = "text"
    summary = "The trimmed value (default)."
    inline = True


class UpperCleaner(TextCleaner):
    """Upper-cased text."""

    name = "upper"
    summary = "The trimmed value in upper case."

    def inline_sql(self, raw: str) -> str:
        """``upper(raw)``."""
        return f"upper({raw})"


class LowerCleaner(TextCleaner):
    """Lower-cased text."""

    name = "lower"
    summary = "The trimmed value in lower case."

    def inline_sql(self, raw: str) -> str:
        """``lower(raw)``."""
        return f"lower({raw})"


class IntegerCleaner(Cleaner):
    """Whole numbers (``32``, ``32.0``, ``1,024``)."""

    name = "integer"
    summary = "A whole number (`32`, `32.0`, `1,024`)."
    lookup_types: ClassVar = {"value": "BIGINT"}
    raw_output = False

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Parse as a number; keep it if whole."""
        n = f"TRY_CAST(regexp_replace({raw}, '[, ]', '', 'g') AS DOUBLE)"
        return {
            "value": f"CASE WHEN {n} = floor({n}) AND abs({n}) < 1e15 THEN CAST({n} AS BIGINT) END"
        }


class NumberCleaner(Cleaner):
    """Amounts (``£1,250.50`` -> 1250.5)."""

    name = "number"
    summary = "A number; currency signs and thousands separators dropped."
    lookup_types: ClassVar = {"value": "DOUBLE"}
    raw_output = False

    def lookup_sql(self, raw: str) -> dict[str, str]:
        """Parse as a double after dropping ``£$€``, commas and spaces."""
        return {"value": f"TRY_CAST(regexp_replace({raw}, '[£$€, ]', '', 'g') AS DOUBLE)"}
