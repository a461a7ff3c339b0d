"""The Home Office offence-code table with its VAWG flags.

Codes follow the Home Office Counting Rules (HOCR) classification notation ("19C", "8N",
"105A"). The shipped table (``data/offence_codes.csv``) is a subset covering the offences
the synthetic forces record; a deployment extends it by editing the CSV. Two flags:

- ``vawg``: the offence is violence against women and girls by its type (rape of a female,
  stalking, coercive control, grooming...);
- ``vawg_context``: the offence counts as VAWG when its victim is a woman or girl
  (assaults, public order, murder).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Offence:
    """One Home Office offence code."""

    code: str
    description: str
    category: str
    sexual: bool
    vawg: bool
    vawg_context: bool


def _flag(text: str) -> bool:
    return text.strip().lower() == "true"


@cache
def offence_table() -> dict[str, Offence]:
    """All shipped offence codes keyed by canonical code."""
    path = resources.files("toex.model").joinpath("data/offence_codes.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["code"]: Offence(
            r["code"],
            r["description"],
            r["category"],
            _flag(r["sexual"]),
            _flag(r["vawg"]),
            _flag(r["vawg_context"]),
        )
        for r in rows
    }


_CODE = re.compile(r"^0*(\d+)(?:[./](\d+))?([A-Za-z]?)$")


def canonical_offence_code(text: str | None) -> str | None:
    """Normalise a written offence code ("019C", " 19c", "4/1") to the table's form.

    Returns ``None`` when the text is empty or the code is not in the table.
    """
    if text is None:
        return None
    compact = re.sub(r"\s+", "", str(text))
    m = _CODE.match(compact)
    if not m:
        return None
    number, sub, letter = m.groups()
    code = number + (f".{sub}" if sub else "") + letter.upper()
    return code if code in offence_table() else None
