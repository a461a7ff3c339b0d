"""The publish configuration: one typed value built from :class:`toex.config.Settings`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toex.config import Settings
from toex.ops.access import parse_handling_codes


@dataclass(frozen=True)
class PublishConfig:
    """What building and scheduling packs takes from configuration."""

    data_dir: Path
    packs_dir: Path
    ops_url: str
    lead_days: int = 7
    clearance: str = "SECRET"
    handling_codes: frozenset[str] = frozenset({"P", "C"})
    victim_names: bool = False
    calendar_override: Path | None = None
    catalogue_path: Path | None = None
    threads: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> PublishConfig:
        """The publish configuration of ``settings``."""
        return cls(
            data_dir=settings.data_dir,
            packs_dir=settings.packs_dir or settings.data_dir / "packs",
            ops_url=settings.ops_url,
            lead_days=settings.pack_lead_days,
            clearance=settings.pack_clearance,
            handling_codes=parse_handling_codes(settings.pack_handling_codes),
            victim_names=settings.pack_victim_names,
            calendar_override=settings.fttcg_calendar,
            catalogue_path=settings.force_catalogue,
            threads=settings.threads,
        )
