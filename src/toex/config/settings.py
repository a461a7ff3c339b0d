"""One typed settings object, read from the environment (prefix ``TOEX_``).

Every setting has its help text beside its default; ``docs/configuration.md`` lists them and
a test checks that it does. No default is a known secret: keys not set here are generated
once under the data directory (``toex.ops.keys``); ``production`` refuses to start without
explicitly configured keys, and every environment refuses short ones.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from toex.errors import ConfigError
from toex.model import Classification

#: Shortest key (characters) accepted for TOEX_SECRET_KEY, TOEX_AUDIT_KEY or a key file line.
MIN_KEY_CHARS = 32


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
    secret_key: str | None = Field(
        None,
        description="Key signing session cookies (32+ characters). Unset: the key file "
        "(secret_key_file, else data_dir/keys/session.key, generated once); production "
        "needs this or secret_key_file.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="File holding the session key (one key a line, the last signs; mode 0600).",
    )
    audit_key: str | None = Field(
        None,
        description="Key (32+ characters; several comma-separated, the last signs) for the "
        "audit log's HMACs. Unset: audit_key_file, else keys/audit.key beside a SQLite store "
        "or under data_dir, generated once; production needs this or audit_key_file.",
    )
    audit_key_file: Path | None = Field(
        None,
        description="File holding the audit key (one key a line, the last signs; mode 0600).",
    )
    audit_checkpoint_file: Path | None = Field(
        None,
        description="Append-only log of audit chain checkpoints; default "
        "audit-checkpoints.log beside a SQLite store or under data_dir.",
    )
    audit_checkpoint_minutes: float = Field(
        5.0, description="toex serve writes an audit checkpoint this often when the log grew."
    )
    audit_checkpoint_entries: int = Field(
        1000, description="Also write an audit checkpoint after every this many entries."
    )
    session_idle_minutes: float = Field(
        30.0, description="A web session unused this long ends (idle timeout)."
    )
    session_max_hours: float = Field(
        8.0, description="A web session ends this long after login, however active (absolute)."
    )
    token_default_days: int = Field(30, description="Lifetime of an API token when none is given.")
    token_max_days: int = Field(90, description="Longest lifetime an API token may be given.")
    trusted_proxies: str = Field(
        "",
        description="Comma-separated IPs or CIDR networks of reverse proxies whose "
        "X-Forwarded-For/-Proto headers are believed; default none.",
    )
    force_catalogue: Path | None = Field(
        None, description="Path of a force catalogue YAML replacing the shipped one."
    )
    match_threshold: float = Field(
        0.95, description="Match probability at or above which mentions are one person."
    )
    keep_snapshots: int = Field(
        3,
        ge=1,
        description="Warehouse snapshots kept after each run (the newest; never the current "
        "one): older ones are deleted with their web caches.",
    )
    retention_rules: Path | None = Field(
        None,
        description="Path of a MoPI retention-review rules YAML replacing the shipped one "
        "(docs/methods.md).",
    )
    profiles_rules: Path | None = Field(
        None,
        description="Path of a missing-person and ViSOR profiles YAML (frequent rule, SOC "
        "offences, indicator phrases, weights) replacing the shipped one (docs/methods.md).",
    )
    exploitation_rules: Path | None = Field(
        None,
        description="Exploitation type rules YAML (default: the shipped "
        "assess/data/exploitation_rules.yaml).",
    )
    threat_scoring: Path | None = Field(
        None,
        description="Threat scoring matrix YAML (default: the shipped "
        "assess/data/threat_scoring.yaml).",
    )
    impact_costs: Path | None = Field(
        None,
        description="YAML of the impact evaluation's cost model replacing the shipped one "
        "(staff-day cost, staff per threat, caveats; docs/methods.md).",
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
    ingest_max_field_bytes: int = Field(
        1_048_576,
        gt=0,
        description="Largest field value (UTF-8 bytes) ingest accepts; a record with a longer "
        "one is quarantined (field_too_large).",
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
        if self.secret_key is not None and len(self.secret_key.strip()) < MIN_KEY_CHARS:
            raise ValueError(f"TOEX_SECRET_KEY is too short: use {MIN_KEY_CHARS}+ characters")
        for key in (self.audit_key or "").split(","):
            if self.audit_key is not None and len(key.strip()) < MIN_KEY_CHARS:
                raise ValueError(f"TOEX_AUDIT_KEY is too short: use {MIN_KEY_CHARS}+ characters")
        if self.environment == "production":
            if self.secret_key is None and self.secret_key_file is None:
                raise ValueError(
                    "TOEX_SECRET_KEY or TOEX_SECRET_KEY_FILE must be set in production"
                )
            if self.audit_key is None and self.audit_key_file is None:
                raise ValueError("TOEX_AUDIT_KEY or TOEX_AUDIT_KEY_FILE must be set in production")
        if self.token_default_days < 1 or self.token_max_days < self.token_default_days:
            raise ValueError("need 1 <= TOEX_TOKEN_DEFAULT_DAYS <= TOEX_TOKEN_MAX_DAYS")
        self.proxy_list()  # refuse a malformed proxy list at start-up
        return self

    def proxy_list(self) -> list[str]:
        """The trusted proxies as a list of IP addresses and networks (each checked)."""
        items = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"TOEX_TRUSTED_PROXIES: {item!r} is not an IP address or network"
                ) from None
        return items

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
