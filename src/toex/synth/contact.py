"""Phones, emails, PNC IDs, CRO numbers and vehicle registrations: values and spellings.

A phone is held as (country code, national significant number). UK numbers are mobiles
``7xxx xxxxxx``; :data:`PLACEHOLDER_NSN` is the dummy ``07000000000`` that systems hold when
nobody knows the number. Spellings follow how people write numbers ("07700 900123",
"+44 7700 900123", "07700-900-123", "(07700) 900123", "447700900123"); adverts sometimes
obscure digits as words ("07seven00 900 one23").

PNC IDs are written "YYYY/NNNNNNNL" and CRO numbers "NNNNNN/YYL"; the check letter is the
remainder modulo 23 of the two-digit year and serial read as one number, mapped onto
"ZABCDEFGHJKLMNPQRTUVWXY" (the publicly described PNC check-character scheme).
"""

from __future__ import annotations

import numpy as np

from toex.synth.names import ascii_fold

PLACEHOLDER_NSN = 7000000000
PLACEHOLDER_PHONE = "07000000000"
_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EMAIL_DOMAINS = (
    "gmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "yahoo.co.uk",
    "icloud.com",
    "live.co.uk",
    "btinternet.com",
    "googlemail.com",
)
_EMAIL_PATTERNS = ("{f}.{s}{n}", "{f}{s}", "{f0}{s}{n}", "{s}{f}{yy}", "{f}_{s}{n}", "{f}{n}")
VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
VRM_AREA = "ABCDEFGHKLMNOPRSVWY"

#: National significant number length and leading digits per country code.
FOREIGN_NSN = {
    40: (9, "7"),
    55: (11, "119"),
    48: (9, "5"),
    355: (9, "6"),
    84: (9, "9"),
    234: (10, "80"),
    353: (9, "8"),
    36: (9, "20"),
    91: (10, "9"),
}


def uk_mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random UK mobile national numbers (10 digits starting 7, never the placeholder)."""
    return 7_100_000_000 + rng.integers(0, 900_000_000, n, dtype=np.int64)


def foreign_numbers(rng: np.random.Generator, cc: np.ndarray) -> np.ndarray:
    """A random national number for each country code in ``cc``."""
    out = np.zeros(len(cc), dtype=np.int64)
    for code, (length, lead) in FOREIGN_NSN.items():
        sel = cc == code
        rest = length - len(lead)
        out[sel] = int(lead) * 10**rest + rng.integers(0, 10**rest, int(sel.sum()), dtype=np.int64)
    return out


def e164(cc: int, nsn: int) -> str:
    """The E.164 form ("+447700900123")."""
    return f"+{cc}{nsn}"


def spell_uk(nsn: int, pattern: str) -> str:
    """A UK number written with one of the ``formatting.phone_spellings`` patterns."""
    digits = str(nsn)
    return pattern.format("0", digits[:4], digits[4:], **{"2a": digits[4:7], "2b": digits[7:]})


def spell_foreign(cc: int, nsn: int, pattern: str) -> str:
    """A foreign number written with one of the ``foreign_phone_spellings`` patterns."""
    digits = str(nsn)
    grouped = " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    return pattern.format(cc=cc, nsn=digits, grouped=grouped)


def obscure(text: str, u: float) -> str:
    """Write two or three digits of a spelled phone number as words ("07seven00 900 one23")."""
    positions = [i for i, c in enumerate(text) if c.isdigit()][1:]
    if not positions:
        return text
    k = 2 + int(u * 2)
    step = max(1, len(positions) // k)
    chosen = set(positions[int(u * step) % step :: step][:k])
    return "".join(_WORDS[int(c)] if i in chosen else c for i, c in enumerate(text))


def email_address(forename: str, surname: str, pattern: int, number: int, domain: int) -> str:
    """An email address built from a name (lower case, ASCII, letters only)."""
    f = "".join(c for c in ascii_fold(forename).lower() if c.isalpha()) or "x"
    s = "".join(c for c in ascii_fold(surname).lower() if c.isalpha()) or "x"
    user = _EMAIL_PATTERNS[pattern % len(_EMAIL_PATTERNS)].format(
        f=f, s=s, f0=f[0], n=number, yy=f"{number % 100:02d}"
    )
    return f"{user}@{EMAIL_DOMAINS[domain % len(EMAIL_DOMAINS)]}"


def pnc_id(year: int, serial: int) -> str:
    """A PNC ID "YYYY/NNNNNNNL" with its check letter."""
    return f"{year:04d}/{serial:07d}{_CHECK[int(f'{year % 100:02d}{serial:07d}') % 23]}"


def cro_number(year: int, serial: int) -> str:
    """A CRO number "NNNNNN/YYL" with its check letter."""
    yy = year % 100
    return f"{serial:06d}/{yy:02d}{_CHECK[int(f'{yy:02d}{serial:06d}') % 23]}"


def vrm(code: int) -> str:
    """A current-format UK registration mark ("AB19 CDE") from an integer code."""
    area = VRM_AREA[code % len(VRM_AREA)] + VRM_LETTERS[(code // 19) % len(VRM_LETTERS)]
    age = [15, 65, 16, 66, 17, 67, 18, 68, 19, 69, 20, 70, 21, 71, 22, 72][(code // 437) % 16]
    rest = code // 6992
    letters = "".join(
        VRM_LETTERS[(rest // len(VRM_LETTERS) ** i) % len(VRM_LETTERS)] for i in range(3)
    )
    return f"{area}{age} {letters}"
