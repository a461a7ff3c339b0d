"""The link stage's configuration: edge weights, recency, hub thresholds, graph algorithms.

Every default is documented here and in ``docs/link.md``. A deployment overrides any of
them with a YAML file of the same field names (``LinkConfig.from_yaml``); the stage reads
the file named by the setting ``link_config`` when the settings object has one.

Edge weight (see :func:`toex.link.edges.edge_sql`)::

    weight = sum over evidence units u of  base[type] * 2 ** (-age_days(u) / half_life_days)
                                                        * hub_factor(u)

An evidence unit is one event (co-offending, victim-offender, intelligence association) or
one shared object (phone, email, address, vehicle, account, payer). ``age_days`` is measured
from the reference date (``reference_date``, else the latest event date in the data, so the
same data gives the same weights whatever day it runs). ``hub_factor`` is 1 for ordinary
objects and ``hub_threshold / n_persons`` for hub objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from toex.errors import ConfigError

EDGE_TYPES: tuple[str, ...] = (
    "co_offending",
    "victim_offender",
    "intel_associate",
    "shared_phone",
    "shared_email",
    "shared_address",
    "shared_vehicle",
    "shared_account",
    "shared_payer",
)
"""Every edge type the link stage produces."""

OBJECT_EDGE_TYPES: dict[str, str] = {
    "phone": "shared_phone",
    "email": "shared_email",
    "address": "shared_address",
    "vehicle": "shared_vehicle",
    "account": "shared_account",
    "payer": "shared_payer",
}
"""Object type (``staged_object.object_type``, plus ``address``) to its edge type."""

DEFAULT_BASE_WEIGHTS: dict[str, float] = {
    "co_offending": 3.0,
    "victim_offender": 2.0,
    "intel_associate": 1.5,
    "shared_phone": 2.0,
    "shared_email": 2.0,
    "shared_address": 1.0,
    "shared_vehicle": 1.5,
    "shared_account": 3.0,
    "shared_payer": 3.0,
}
"""Weight of one evidence unit of each type before recency and hub factors."""

DEFAULT_HUB_THRESHOLDS: dict[str, int] = {
    "phone": 8,
    "email": 8,
    "address": 15,
    "vehicle": 10,
    "account": 8,
    "payer": 8,
}
"""An object shared by more persons than this is a hub (a hostel, a dummy phone)."""

DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    "+447000000000",
    "+440000000000",
    "+447777777777",
    "+447123456789",
    "+441234567890",
    "unknown@unknown.com",
    "none@none.com",
    "noemail@noemail.com",
    "test@test.com",
)
"""Object values that are placeholders wherever they appear: always hubs, whatever the count."""

DEFAULT_EVENT_OBJECT_ROLES: dict[str, tuple[str, ...]] = {
    "missing_episode": ("missing",),
    "partner_account": ("account_holder",),
    "advert": ("account_holder",),
    "payment": ("payer",),
    "partner_call": ("account_holder",),
    "intelligence": ("subject",),
    "custody": ("detainee",),
    "visor": ("registrant",),
}
"""Objects and locations recorded on an event but not on a person mention (a missing
episode's found-at address, a payment's card) belong to the persons holding these roles on
that event. Crimes are absent on purpose: an offence location is where a crime happened, not
an identifier its suspects share."""


@dataclass(frozen=True)
class LinkConfig:
    """Everything the link stage can be told; defaults are the shipped, documented values."""

    base_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BASE_WEIGHTS))
    half_life_days: float = 730.0
    """Recency: an evidence unit this many days older than the reference date counts half."""
    reference_date: dt.date | None = None
    """Date ages are measured from; None means the latest event date in the data."""
    hub_thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_HUB_THRESHOLDS))
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    hub_max_pairs_persons: int = 300
    """Hubs shared by more persons than this produce no pairwise edges at all (a clique of
    n persons is n(n-1)/2 edges); they are still listed in ``link_hub`` with every member in
    ``link_hub_member``."""
    event_object_roles: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_EVENT_OBJECT_ROLES)
    )
    min_network_weight: float = 0.0
    """Pairs whose summed weight is lighter than this are kept in ``link_edge`` but do not
    form networks."""
    context_edge_types: tuple[str, ...] = ("shared_address",)
    """Edge types that describe context rather than association (living at the same address:
    households, hostels, old addresses). They add weight to a pair linked otherwise, but never
    link a pair into a network on their own."""
    footprint_roles: tuple[str, ...] = ("suspect", "subject", "detainee", "registrant")
    """A network spans the forces holding the records that link its members and the records
    where a member plays one of these (offender-side) roles."""
    leiden_method: str = "cpm"
    """``cpm`` (constant Potts model: a community's members are linked with more than
    ``leiden_resolution`` weight per pair on average; no resolution limit, so a serial
    offender's star stays its own community inside a large sparse component) or
    ``modularity`` (RB configuration model; ``leiden_resolution`` 1.0 is plain modularity)."""
    leiden_resolution: float = 0.05
    """CPM density threshold in weight units per pair, or the modularity resolution."""
    leiden_seed: int = 7
    leiden_iterations: int = 2
    """Leiden iterations (leidenalg's default); -1 runs until the partition no longer
    changes, which on the small synthetic set took 8x longer for 0.1% more quality."""
    community_min_size: int = 12
    """Components smaller than this are one community (not split by Leiden)."""
    betweenness_exact_max: int = 500
    """Groups up to this many persons get exact betweenness; larger ones are estimated from
    ``betweenness_samples`` seeded source persons (Brandes-Pich), scaled by n/k. The cost is
    then at most ``max(exact_max, samples)`` breadth-first searches per group."""
    betweenness_samples: int = 64
    top_principals: int = 3
    """How many principal individuals each network lists."""
    sql_partitions: int = 4
    """The edge aggregation runs in this many slices (by person) to bound its memory."""
    harm_scheme: str = "cchi"
    """Harm weights per offence code: ``cchi`` or ``ons_css`` (``toex.model.harm``)."""
    harm_default_days: float = 1.0
    """Harm of an offence code the harm table does not list."""

    def __post_init__(self) -> None:
        unknown = set(self.base_weights) - set(EDGE_TYPES)
        if unknown:
            raise ConfigError(f"link config: unknown edge type(s) {', '.join(sorted(unknown))}")
        missing = set(EDGE_TYPES) - set(self.base_weights)
        if missing:
            raise ConfigError(f"link config: base_weights lacks {', '.join(sorted(missing))}")
        if self.half_life_days <= 0:
            raise ConfigError("link config: half_life_days must be positive")
        if self.leiden_method not in ("cpm", "modularity"):
            raise ConfigError(
                f"link config: leiden_method must be cpm or modularity, not {self.leiden_method!r}"
            )
        if any(v < 2 for v in self.hub_thresholds.values()):
            raise ConfigError("link config: every hub threshold must be at least 2")

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> LinkConfig:
        """A config from defaults overridden by ``data`` (dicts are merged key by key)."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"link config: unknown field(s) {', '.join(sorted(unknown))}")
        base = cls()
        changes: dict[str, Any] = {}
        for key, value in data.items():
            current = getattr(base, key)
            if isinstance(current, dict):
                merged = dict(current)
                merged.update(value or {})
                if key == "event_object_roles":
                    merged = {k: tuple(v) for k, v in merged.items()}
                changes[key] = merged
            elif key in ("placeholders", "context_edge_types", "footprint_roles"):
                changes[key] = tuple(value)
            elif key == "reference_date" and value is not None:
                changes[key] = (
                    value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
                )
            else:
                changes[key] = value
        return replace(base, **changes)

    @classmethod
    def from_yaml(cls, path: Path) -> LinkConfig:
        """A config from a YAML file of field overrides."""
        try:
            data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"link config {path}: {exc.strerror}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"link config {path}: expected a mapping of field overrides")
        return cls.from_mapping(data)
