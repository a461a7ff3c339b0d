"""Phone numbers as adverts write them: de-obfuscation, then E.164.

Advertisers hide numbers from scrapers and moderators by spelling digits out
("07seven00 900 one23", "O7 nine double 1..."); the NIJ/JRSA study found an obscured
number predictive of trafficking, and the phone is the key linker of adverts (Ibanez &
Suthers 2014). ``phonenumbers`` parses punctuation but not words, so words are turned
back into digits first (:func:`deobfuscate`), then the result is parsed as a UK number
unless it carries a country code (:func:`normalise_phone`).

Everything here is pure; :func:`normalise_many` works over distinct values so a million
adverts cost one parse per distinct spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

#: Words (and look-alike letters) advertisers use for digits, longest first when matched.
DIGIT_WORDS: dict[str, str] = {
    "zero": "0",
    "nought": "0",
    "nil": "0",
    "oh": "0",
    "one": "1",
    "won": "1",
    "two": "2",
    "too": "2",
    "three": "3",
    "tree": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "ate": "8",
    "nine": "9",
}
_MULTIPLIERS: dict[str, int] = {"double": 2, "triple": 3}
_WORD_RE = re.compile(
    r"(?:(double|triple)\s*-?\s*)?("
    + "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
    + r"|\d)",
    re.IGNORECASE,
)
# A letter O or l standing between digits (or digit-words) is a zero or a one.
_O_BETWEEN = re.compile(r"(?<=[\d\s\-.])[oO](?=[\d\s\-.oO])|(?<=[\d])[oO]|[oO](?=\d)")
_L_BETWEEN = re.compile(r"(?<=\d)[lI|](?=\d)")
_SPELLED = re.compile(
    r"\b("
    + "|".join(w for w in DIGIT_WORDS if len(w) > 3 or w in {"one", "two", "six"})
    + r")\b|\d("
    + "|".join(DIGIT_WORDS)
    + r")|("
    + "|".join(DIGIT_WORDS)
    + r")\d",
    re.IGNORECASE,
)


def is_obscured(raw: str | None) -> bool:
    """Whether a phone as written spells digits out in words or look-alike letters."""
    if not raw:
        return False
    if _SPELLED.search(raw):
        return True
    return bool(re.search(r"\d[oOlI]|[oOlI]\d", raw)) and sum(c.isdigit() for c in raw) >= 5


def deobfuscate(raw: str) -> str:
    """``raw`` with digit words and look-alike letters turned into digits, other text kept.

    >>> deobfuscate("07seven00 900 one23")
    '07700 900 123'
    >>> deobfuscate("o7 nine double one 2")
    '07 9 11 2'
    """

    def word(m: re.Match[str]) -> str:
        token = m.group(2).lower()
        digit = DIGIT_WORDS.get(token, token)
        times = _MULTIPLIERS.get((m.group(1) or "").lower(), 1)
        return digit * times

    text = _WORD_RE.sub(word, raw)
    text = _L_BETWEEN.sub("1", text)
    return _O_BETWEEN.sub("0", text)


_PLAIN = re.compile(r"^[\d\s+\-().]+$")


def _fast_uk_mobile(raw: str) -> str | None:
    """E.164 of a plainly written UK mobile (07..., +447..., 447...), else None (the caller
    then takes the full path); a shortcut that gives phonenumbers' answer for these."""
    if not _PLAIN.match(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits.startswith("07"):
        return "+44" + digits[1:]
    if len(digits) == 12 and digits.startswith("447"):
        return "+" + digits
    return None


@lru_cache(maxsize=200_000)
def normalise_phone(raw: str | None, default_region: str = "GB") -> str | None:
    """The E.164 form of a phone as written (words de-obfuscated), or None if not a number.

    UK numbers without a country code are read as ``default_region``; numbers starting with
    ``+`` or ``00`` keep their country. Numbers that are not even possible for their country
    give None (a bad value, not an error).
    """
    if raw is None:
        return None
    fast = _fast_uk_mobile(str(raw))
    if fast is not None:
        return fast
    text = deobfuscate(str(raw)).strip()
    if not text:
        return None
    fast = _fast_uk_mobile(text)
    if fast is not None:
        return fast
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if len(re.sub(r"\D", "", digits)) < 7:
        return None
    try:
        number = phonenumbers.parse(digits, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_many(values: Iterable[str | None]) -> dict[str, str | None]:
    """E.164 for each distinct non-empty value (a mapping from the value as written).

    Plainly written UK mobiles (most values) are recognised for the whole batch at once by
    Arrow; only the rest go through :func:`normalise_phone` one by one."""
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if not distinct:
        return {}
    column = pa.array(distinct, pa.large_string())
    plain = pc.match_substring_regex(column, _PLAIN.pattern).to_numpy(zero_copy_only=False)
    digits = pc.replace_substring_regex(column, r"\D", "")
    length = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    national = plain & (length == 11) & pc.starts_with(digits, "07").to_numpy(zero_copy_only=False)
    international = (
        plain & (length == 12) & pc.starts_with(digits, "447").to_numpy(zero_copy_only=False)
    )
    digit_text = digits.to_pylist()
    out: dict[str, str | None] = {}
    for i, value in enumerate(distinct):
        if national[i]:
            out[value] = "+44" + digit_text[i][1:]
        elif international[i]:
            out[value] = "+" + digit_text[i]
        else:
            out[value] = normalise_phone(value)
    return out


#: A run of digits, digit words and separators long enough to be a phone number in text.
_TEXT_PHONE = re.compile(
    r"(?:\+|\b)(?:(?:double|triple)\s*)?(?:\d|"
    + "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
    + r")(?:[\s\-.()]*(?:(?:double|triple)\s*)?(?:\d|"
    + "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
    + r")){9,14}",
    re.IGNORECASE,
)


@lru_cache(maxsize=200_000)
def parse_written(written: str) -> tuple[str, str | None]:
    """(the number as written, its E.164 or None) for a run of digits and digit words
    found in text. A run may swallow an English word that doubles as a digit word
    ("... 2345 for fun"): trailing words are dropped until the rest parses."""
    e164 = normalise_phone(written)
    for _ in range(3):
        if e164 is not None:
            break
        trimmed = _TRAILING_WORD.sub("", written)
        if trimmed == written:
            break
        written = trimmed
        e164 = normalise_phone(written)
    return written, e164


def phones_in_text(text: str | None) -> list[tuple[str, str]]:
    """Phone numbers written inside free text: (as written, E.164) for each that parses."""
    if not text:
        return []
    found: list[tuple[str, str]] = []
    for m in _TEXT_PHONE.finditer(text):
        written, e164 = parse_written(m.group(0))
        if e164 is not None:
            found.append((written, e164))
    return found


_TRAILING_WORD = re.compile(r"[\s\-.()]*[A-Za-z]+$")
