"""The force catalogue: forces, regions, LPCs, officer pools and FTTCG calendars.

Loaded from ``data/forces.yaml`` (or the file named by ``TOEX_FORCE_CATALOGUE``) and checked
on load: a bad catalogue raises :class:`toex.errors.ConfigError` naming the force and field.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from toex.errors import ConfigError

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


@dataclass(frozen=True)
class Force:
    """One police force in the catalogue."""

    code: str
    name: str
    short_name: str
    region: str
    region_name: str
    record_system: str
    postcode_areas: tuple[str, ...]
    lpcs: tuple[str, ...]
    officer_count: int
    fttcg_dates: tuple[dt.date, ...]

    def officer_ids(self) -> list[str]:
        """Synthetic officer (OIC) identifiers: force prefix and collar number."""
        return [f"{self.code.upper()}{1000 + i}" for i in range(self.officer_count)]


@dataclass(frozen=True)
class Partner:
    """A partner organisation that supplies data (the adult-services website)."""

    code: str
    name: str
    record_system: str


@dataclass(frozen=True)
class Catalogue:
    """Every force and partner, and the regions they sit in."""

    regions: dict[str, str]
    forces: tuple[Force, ...]
    partners: tuple[Partner, ...]

    def force(self, code: str) -> Force:
        """The force with this code (case-insensitive) or its short name."""
        key = code.strip().lower()
        for f in self.forces:
            if key in (f.code, f.short_name.lower(), f.name.lower()):
                return f
        raise ConfigError(
            f"unknown force {code!r}; known: " + ", ".join(f.code for f in self.forces)
        )

    def region_of(self, force_code: str) -> str:
        """Region code of a force."""
        return self.force(force_code).region


def fttcg_dates(weekday: str, week: int, start: dt.date, months: int) -> list[dt.date]:
    """The ``week``-th ``weekday`` of each month for ``months`` months from ``start``."""
    wd = _WEEKDAYS[weekday.lower()]
    out = []
    year, month = start.year, start.month
    for _ in range(months):
        days = [
            d
            for d in calendar.Calendar().itermonthdates(year, month)
            if d.month == month and d.weekday() == wd
        ]
        out.append(days[min(week, len(days)) - 1])
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_fttcg(cal: object, where: str) -> tuple[dt.date, ...]:
    """FTTCG meeting dates from a calendar entry: ``{dates: [...]}`` or the monthly rule
    ``{weekday, week, start, months}``; None (no calendar yet) gives no dates.

    ``where`` prefixes every error (e.g. ``"force catalogue: force 'cambs'"``).
    """
    if cal is None:
        return ()
    if not isinstance(cal, dict):
        raise ConfigError(f"{where}: fttcg: expected dates or a monthly rule")
    if "dates" in cal:
        values = cal["dates"] or []
        if not isinstance(values, list):
            raise ConfigError(f"{where}: fttcg: dates must be a list")
        return tuple(sorted({_date(d, f"{where}: fttcg") for d in values}))
    missing = [k for k in ("weekday", "week", "start", "months") if k not in cal]
    if missing:
        raise ConfigError(f"{where}: fttcg: missing {missing[0]!r} (or give 'dates')")
    weekday = str(cal["weekday"]).lower()
    if weekday not in _WEEKDAYS:
        raise ConfigError(f"{where}: fttcg: unknown weekday {cal['weekday']!r}")
    try:
        week, months = int(cal["week"]), int(cal["months"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: fttcg: week and months must be whole numbers") from None
    if not 1 <= week <= 5 or months < 0:
        raise ConfigError(f"{where}: fttcg: week must be 1-5 and months 0 or more")
    start = _date(cal["start"], f"{where}: fttcg")
    return tuple(fttcg_dates(weekday, week, start, months))


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, "", []):
        raise ConfigError(f"force catalogue: {where}: missing {key!r}")
    return entry[key]


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Build and check a catalogue from its YAML structure."""
    regions = dict(_require(data, "regions", "top level"))
    forces = []
    for i, entry in enumerate(_require(data, "forces", "top level")):
        where = f"force {entry.get('code', i)!r}"
        region = _require(entry, "region", where)
        if region not in regions:
            raise ConfigError(f"force catalogue: {where}: unknown region {region!r}")
        lpcs = tuple(_require(entry, "lpcs", where))
        if len(lpcs) < 3:
            raise ConfigError(f"force catalogue: {where}: needs at least 3 LPCs, has {len(lpcs)}")
        dates = parse_fttcg(entry.get("fttcg"), f"force catalogue: {where}")
        forces.append(
            Force(
                code=_require(entry, "code", where),
                name=_require(entry, "name", where),
                short_name=_require(entry, "short_name", where),
                region=region,
                region_name=regions[region],
                record_system=_require(entry, "record_system", where),
                postcode_areas=tuple(_require(entry, "postcode_areas", where)),
                lpcs=lpcs,
                officer_count=int(_require(entry, "officers", where)),
                fttcg_dates=dates,
            )
        )
    codes = [f.code for f in forces]
    if len(set(codes)) != len(codes):
        raise ConfigError("force catalogue: duplicate force codes")
    partners = tuple(
        Partner(p["code"], p["name"], p["record_system"]) for p in data.get("partners", [])
    )
    return Catalogue(regions, tuple(forces), partners)


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue from ``path`` or the shipped ``data/forces.yaml``."""
    if path is None:
        text = resources.files("toex.config").joinpath("data/forces.yaml").read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"force catalogue {path}: {exc.strerror}") from exc
    return parse_catalogue(yaml.safe_load(text))
