"""Crime harm weights: days of custody per Home Office offence code.

Two shipped schemes, both keyed by the codes of ``data/offence_codes.csv``:

- ``cchi``: Cambridge Crime Harm Index style (Sherman, Neyroud & Neyroud 2016,
  doi:10.1093/police/paw003): the starting-point sentence for a first offender, in days
  (``data/harm_cchi.csv``);
- ``ons_css``: ONS Crime Severity Score style (ONS 2016): the average sentence the offence
  receives, in equivalent days of custody (``data/harm_ons_css.csv``).

The shipped values are indicative and say so in their files: check them against the official
sheets before operational use. A deployment replaces a table by pointing the assess
configuration at its own CSV (same columns: ``code,days,basis``; ``#`` lines are comments).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from toex.model.offences import offence_table

SCHEMES: dict[str, str] = {"cchi": "data/harm_cchi.csv", "ons_css": "data/harm_ons_css.csv"}
"""Shipped harm schemes and their files inside ``toex.model``."""


@dataclass(frozen=True)
class HarmWeight:
    """The harm weight of one offence code, in days, and the basis of the value."""

    code: str
    days: float
    basis: str


def parse_harm_csv(text: str, where: str) -> dict[str, HarmWeight]:
    """Parse a harm table's text (``code,days,basis``; ``#`` lines are comments).

    Raises ``ValueError`` naming ``where`` and the line for a structural fault: a missing
    column, a non-numeric or negative weight, an unknown or repeated offence code.
    """
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    missing = {"code", "days"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(sorted(missing))}")
    known = offence_table()
    out: dict[str, HarmWeight] = {}
    for i, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        if code not in known:
            raise ValueError(f"{where}: line {i}: unknown offence code {code!r}")
        if code in out:
            raise ValueError(f"{where}: line {i}: offence code {code!r} appears twice")
        try:
            days = float(row["days"])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: line {i}: days {row['days']!r} is not a number") from None
        if days < 0:
            raise ValueError(f"{where}: line {i}: days {days:g} is negative")
        out[code] = HarmWeight(code, days, (row.get("basis") or "").strip())
    return out


@cache
def _shipped(scheme: str) -> dict[str, HarmWeight]:
    path = resources.files("toex.model").joinpath(SCHEMES[scheme])
    return parse_harm_csv(path.read_text(encoding="utf-8"), SCHEMES[scheme])


def harm_table(scheme: str = "cchi", path: Path | None = None) -> dict[str, HarmWeight]:
    """The harm weights of ``scheme`` (``cchi`` or ``ons_css``), or of the CSV at ``path``.

    Raises ``ValueError`` for an unknown scheme or a malformed file.
    """
    if path is not None:
        return parse_harm_csv(Path(path).read_text(encoding="utf-8"), str(path))
    if scheme not in SCHEMES:
        raise ValueError(f"unknown harm scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    return dict(_shipped(scheme))


def harm_source_note(scheme: str) -> str:
    """The comment header of a shipped harm table: its source and the 'indicative' warning."""
    text = resources.files("toex.model").joinpath(SCHEMES[scheme]).read_text(encoding="utf-8")
    return "\n".join(ln.lstrip("# ").rstrip() for ln in text.splitlines() if ln.startswith("#"))
