"""FTTCG calendars: each force's tasking meetings, from the catalogue or an override file.

The force catalogue holds a default calendar per force. A deployment edits meeting dates
without code in a YAML file named by ``TOEX_FTTCG_CALENDAR`` (``force code: calendar``, in
the catalogue's two forms); a force it names takes its dates from the file, the others keep
the catalogue's. A bad file raises :class:`toex.errors.ConfigError` naming file and force.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from toex.config.forces import Catalogue, parse_fttcg
from toex.errors import ConfigError


def parse_calendar_override(
    data: object, where: str, catalogue: Catalogue
) -> dict[str, tuple[dt.date, ...]]:
    """Meeting dates by force code from a parsed override file (unknown forces refused)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of force code to calendar")
    known = {f.code for f in catalogue.forces}
    out: dict[str, tuple[dt.date, ...]] = {}
    for code, cal in data.items():
        if str(code) not in known:
            raise ConfigError(f"{where}: unknown force {code!r}; known: {', '.join(sorted(known))}")
        out[str(code)] = parse_fttcg(cal, f"{where}: force {code!r}")
    return out


def load_calendar_override(path: Path, catalogue: Catalogue) -> dict[str, tuple[dt.date, ...]]:
    """The override file at ``path``, parsed and checked."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"FTTCG calendar {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"FTTCG calendar {path}: not valid YAML: {exc}") from exc
    return parse_calendar_override(data, f"FTTCG calendar {path}", catalogue)


def meeting_calendars(
    catalogue: Catalogue, override: Path | None = None
) -> dict[str, tuple[dt.date, ...]]:
    """Every force's FTTCG meeting dates (sorted), the override file's where it names one."""
    calendars = {f.code: f.fttcg_dates for f in catalogue.forces}
    if override is not None:
        calendars.update(load_calendar_override(override, catalogue))
    return calendars
