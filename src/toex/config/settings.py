"""One typed settings object, read from the environment (prefix ``TOEX_``).

Every setting has its help text beside its default; ``docs/configuration.md`` lists them and
a test checks that it does. Unsafe defaults (the development secret key) are refused outside
``development``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from toex.errors import ConfigError
from toex.model import Classification

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """toex settings. Environment variables are ``TOEX_`` plus the upper-case name."""

    model_config = SettingsConfigDict(env_prefix="TOEX_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="development, test or production; production refuses unsafe defaults.",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Where warehouse snapshots, the operational store and products are written.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb", description="Compute engine for the warehouse pipeline."
    )
    spark_master: str = Field("local[2]", description="Spark master URL when engine=spark.")
    ops_database_url: str | None = Field(
        None, description="SQLAlchemy URL of the operational store; default SQLite under data_dir."
    )
    secret_key: str = Field(DEV_SECRET, description="Key signing sessions and CSRF tokens.")
    force_catalogue: Path | None = Field(
        None, description="Path of a force catalogue YAML replacing the shipped one."
    )
    match_threshold: float = Field(
        0.95, description="Match probability at or above which mentions are one person."
    )
    fttcg_calendar: Path | None = Field(
        None,
        description="YAML of FTTCG meeting calendars by force code, replacing the force "
        "catalogue's for the forces it names (see docs/publish.md).",
    )
    pack_lead_days: int = Field(
        7, ge=0, description="Days before an FTTCG meeting that `toex publish due` builds its pack."
    )
    pack_clearance: str = Field(
        "SECRET",
        description="Highest classification of record a force profile pack may draw on "
        "(records above it are left out, with everything derived from them).",
    )
    pack_handling_codes: str = Field(
        "P,C", description="Handling codes of the records a force profile pack may draw on."
    )
    pack_victim_names: bool = Field(
        False,
        description="Show victims' names in force profile packs (default: pseudonymous "
        "references only).",
    )
    packs_dir: Path | None = Field(
        None, description="Where force profile packs are written; default <data_dir>/packs."
    )
    threads: int = Field(2, description="Threads the engine may use.")
    memory_limit: str = Field("8GB", description="Memory limit for the DuckDB engine.")

    @field_validator("pack_clearance")
    @classmethod
    def _known_marking(cls, value: str) -> str:
        known = [c.value for c in Classification]
        if value not in known:
            raise ValueError(f"pack_clearance must be one of {', '.join(known)}, not {value!r}")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("TOEX_SECRET_KEY must be set in production")
        return self

    @property
    def ops_url(self) -> str:
        """The operational store URL, defaulting to SQLite under the data directory."""
        return self.ops_database_url or f"sqlite:///{self.data_dir / 'ops.sqlite'}"


@cache
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    try:
        return Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
