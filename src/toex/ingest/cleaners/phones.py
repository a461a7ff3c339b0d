"""Phone numbers to E.164 (``+447700900123``) with ``phonenumbers``, region GB; original kept.

Set-wise in two steps over the distinct raw values: SQL turns the common UK shapes (digits,
spaces, dashes, brackets: ``07700 900123``, ``+44 7700 900123``, ``0044...``, ``01223 456789``)
and ``447700900123`` (the country code without ``+``) into E.164 directly, exactly as
``phonenumbers`` would; everything else (spelled digits such as
``07seven00 9oo123``, extensions, foreign numbers) goes to Python, which first replaces spelled
digits and then asks ``phonenumbers``. A number is kept when ``phonenumbers`` calls it possible.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import phonenumbers

from toex.ingest.cleaners.base import MAX_VALUE_LENGTH, RAW, Cleaner

REGION = "GB"
_WORDS = {
    "zero": "0",
    "nought": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_WORD_RE = re.compile("|".join(sorted(_WORDS, key=len, reverse=True)), re.IGNORECASE)
_LETTER_O = re.compile(r"(?<=[\d\s])[oO](?=[\d\soO])|(?<=[\d\s])[oO]$|^[oO](?=[\d\s])")


def deobfuscate(text: str) -> str:
    """Spelled digits to digits: ``"07seven00 9oo one23"`` -> ``"07700 900 123"``."""
    text = _WORD_RE.sub(lambda m: _WORDS[m.group(0).lower()], text)
    previous = None
    while previous != text:  # "9oo": each pass turns the o's next to digits
        previous, text = text, _LETTER_O.sub("0", text)
    return text


def to_e164(text: str | None) -> str | None:
    """E.164 form of a written phone number, or ``None`` if it is not a possible number."""
    if text is None:
        return None
    text = deobfuscate(text)
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.is_possible_number_with_reason(number)
        != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def uk_fast_sql(raw: str) -> str:
    """SQL: E.164 for the plain UK shapes, NULL for anything needing ``phonenumbers``."""
    plain = f"regexp_full_match({raw}, '[0-9+() .-]+')"
    d = f"regexp_replace({raw}, '[^0-9]', '', 'g')"
    intl = f"starts_with(ltrim({raw}), '+')"
    return (
        f"CASE WHEN NOT {plain} THEN NULL "
        f"WHEN NOT {intl} AND regexp_full_match({d}, '0(7[0-9]{{9}}|[123][0-9]{{8,9}})') "
        f"THEN '+44' || substr({d}, 2) "
        f"WHEN NOT {intl} AND regexp_full_match({d}, '0044(7[0-9]{{9}}|[123][0-9]{{8,9}})') "
        f"THEN '+' || substr({d}, 3) "
        f"WHEN {intl} AND regexp_full_match({d}, '44(7[0-9]{{9}}|[123][0-9]{{8,9}})') "
        f"AND NOT contains({raw}, '(') THEN '+' || {d} "
        # digits only, 44 then a national number: too long to be national, so phonenumbers
        # takes the 44 as the country code
        f"WHEN regexp_full_match({raw}, '44(7[0-9]{{9}}|[123][0-9]{{8,9}})') THEN '+' || {raw} END"
    )


class PhoneCleaner(Cleaner):
    """Phone numbers in E.164; ``<target>_raw`` keeps the original."""

    name = "phone"
    summary = "Phone to E.164 (region GB) via phonenumbers; spelled digits restored."

    def lookup_python(self, values: list[str]) -> dict[str, list[Any]]:
        """E.164 of each distinct value (slow path)."""
        return {"value": [to_e164(v) for v in values]}

    def build_lookup(self, con: duckdb.DuckDBPyConnection, distinct_sql: str, out: str) -> None:
        """SQL for the plain UK shapes, Python for the rest."""
        fast = f"{out}_fast"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {fast} AS SELECT {RAW}, "
            f"CASE WHEN length({RAW}) <= {MAX_VALUE_LENGTH} THEN {uk_fast_sql(RAW)} "
            f"END AS value FROM ({distinct_sql})"
        )
        super().build_lookup(con, f"SELECT {RAW} FROM {fast} WHERE value IS NULL", f"{out}_slow")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {out} AS "
            f"SELECT {RAW}, value FROM {fast} WHERE value IS NOT NULL "
            f"UNION ALL SELECT {RAW}, value FROM {out}_slow"
        )
        con.execute(f"DROP TABLE {fast}; DROP TABLE {out}_slow")
