"""Two years of operations-tracker history with planted effects of support (``tracker/``).

About 200 operations (threats) across the nine forces: the warehouse's regional operations
whose start falls in the window keep their reference, name, lead force, type and scale, and
more are made up to reach the count. Each threat is identified on a day in the window; the
times from identification to being scored, entering the agency top ten and the first
significant disruption follow a Weibull accelerated-failure-time model whose factor for
programme support is planted (``data/tracker.yaml``: 1.80, 1.68, 1.28 times faster). Events
after ``as_of`` are not recorded (the threat is censored). Support is likelier for wider-scale
threats, which are also slower, so the planted effect is confounded by scale.

:func:`build_history` is pure (seed in, rows out) so tests can draw many histories quickly;
:func:`write_history` writes the CSV files in the tracker's import format and the truth.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from toex.model import ExploitationType, GeographicScale

EVENTS = ("scored", "top10", "disruption")
EVENT_COLUMN = {"scored": "scored_on", "top10": "top10_on", "disruption": "first_significant"}
TRACKER_DIR = "tracker"


def load_tracker_config(path: Path | None = None) -> dict[str, Any]:
    """The history's planted rates (``data/tracker.yaml`` unless ``path``)."""
    text = (
        Path(path).read_text(encoding="utf-8")
        if path
        else resources.files("toex.synth").joinpath("data/tracker.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class BaseOperation:
    """A warehouse operation the history keeps (its codes already mapped)."""

    reference: str
    name: str
    lead_force: str
    exploitation_type: str
    scale: str
    start: dt.date


@dataclass
class History:
    """Rows of each tracker file (column -> text), the per-threat truth and the effects."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    truth: list[dict[str, Any]] = field(default_factory=list)
    effects: dict[str, Any] = field(default_factory=dict)


def code_of(enum: type[ExploitationType] | type[GeographicScale], label: str) -> str:
    """The code of a briefing label (``"Adult Sexual Exploitation"``) or code."""
    for member in enum:
        if label in (member.value, member.label) or label.lower() == member.label.lower():
            return member.value
    return "other" if enum is ExploitationType else GeographicScale.FORCE.value


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


class _Draw:
    """The history's random draws and its window."""

    def __init__(self, seed: int, as_of: dt.date, cfg: dict[str, Any]) -> None:
        self.rng = np.random.default_rng([seed, 0x7AC4E2])
        self.as_of = as_of
        self.cfg = cfg
        self.start = as_of - dt.timedelta(days=int(365 * cfg["years"]))

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        span = max(0, (b - a).days)
        return a + dt.timedelta(days=int(self.rng.integers(0, span + 1)))


def _forces_for(d: _Draw, lead: str, scale: str, forces: list[tuple[str, str]]) -> list[str]:
    region = dict(forces)[lead]
    same = [c for c, r in forces if r == region and c != lead]
    other = [c for c, r in forces if r != region]
    if scale == GeographicScale.WITHIN_REGION and same:
        k = int(d.rng.integers(1, len(same) + 1))
        return [lead, *d.rng.choice(same, size=k, replace=False).tolist()]
    if scale in (GeographicScale.OUTSIDE_REGION, GeographicScale.INTERNATIONAL):
        k = int(d.rng.integers(0 if scale == GeographicScale.INTERNATIONAL else 1, 3))
        return [lead, *d.rng.choice(other, size=k, replace=False).tolist()]
    return [lead]


def _operations(
    d: _Draw, forces: list[tuple[str, str]], base: list[BaseOperation]
) -> list[dict[str, Any]]:
    """The threats: reference, name, forces, types, scale, supported, dates."""
    cfg = d.cfg
    ops: list[dict[str, Any]] = []
    kept = [b for b in base if d.start <= b.start <= d.as_of - dt.timedelta(days=7)]
    types = list(cfg["type_effect"])
    scales = list(cfg["scale_effect"])
    for i in range(max(int(cfg["operations"]), len(kept))):
        if i < len(kept):
            b = kept[i]
            ref, name, lead, typ, scale = (
                b.reference,
                b.name,
                b.lead_force,
                b.exploitation_type,
                b.scale,
            )
            opened = b.start
        else:
            ref, name = f"TOEX/OP/{9000 + i:04d}", f"Op Tracker {i + 1}"
            lead = forces[int(d.rng.integers(0, len(forces)))][0]
            typ = types[int(d.rng.integers(0, len(types)))]
            scale = scales[int(d.rng.integers(0, len(scales)))]
            opened = d.day_between(d.start, d.as_of - dt.timedelta(days=7))
        all_types = {typ}
        if d.rng.random() < cfg["multiple_types_share"]:
            all_types.add(types[int(d.rng.integers(0, len(types)))])
        logit = cfg["support_logit"]["intercept"] + cfg["support_logit"][scale]
        supported = bool(d.rng.random() < 1 / (1 + np.exp(-logit)))
        identified = opened + dt.timedelta(days=int(d.rng.integers(0, 8)))
        identified = min(identified, d.as_of)
        x = cfg["scale_effect"][scale] + sum(cfg["type_effect"][t] for t in all_types)
        latent: dict[str, float] = {}
        for ev in EVENTS:
            e = cfg["events"][ev]
            k = float(e["shape"])
            w = d.rng.weibull(k) / np.log(2) ** (1 / k)
            factor = float(e["times_faster"]) if supported else 1.0
            latent[ev] = float(e["median_days"]) * float(np.exp(x)) / factor * float(w)
        ops.append(
            {
                "reference": ref,
                "name": name,
                "lead_force": lead,
                "forces": _forces_for(d, lead, scale, forces),
                "types": sorted(all_types),
                "scale": scale,
                "supported": supported,
                "soc": bool(d.rng.random() < cfg["soc_master_list_share"]),
                "opened": opened,
                "identified": identified,
                "latent": latent,
            }
        )
    return ops


def _event_day(d: _Draw, op: dict[str, Any], ev: str) -> dt.date | None:
    day = op["identified"] + dt.timedelta(days=max(1, int(np.ceil(op["latent"][ev]))))
    return day if day <= d.as_of else None


def build_history(
    seed: int,
    as_of: dt.date,
    forces: list[tuple[str, str]],
    cfg: dict[str, Any] | None = None,
    base: list[BaseOperation] | None = None,
) -> History:
    """A tracker history for ``forces`` ((code, region) pairs) ending on ``as_of``."""
    cfg = cfg or load_tracker_config()
    d = _Draw(seed, as_of, cfg)
    ops = _operations(d, forces, base or [])
    h = History(rows={k: [] for k in ("operations", "aars", "disruptions", "referrals")})
    h.rows.update(outcomes=[], requests=[])
    h.effects = {
        "as_of": as_of.isoformat(),
        "seed": seed,
        "threats": len(ops),
        "times_faster": {ev: cfg["events"][ev]["times_faster"] for ev in EVENTS},
        "model": "Weibull accelerated failure time; covariates: supported, geographic scale, "
        "each exploitation type",
        "config": cfg,
    }
    for n, op in enumerate(ops, start=1):
        days = {ev: _event_day(d, op, ev) for ev in EVENTS}
        ref = op["reference"]
        last = max([op["identified"], *(v for v in days.values() if v)])
        closed = None
        if days["disruption"] and d.rng.random() < 0.7:
            candidate = last + dt.timedelta(days=int(d.rng.integers(30, 200)))
            closed = candidate if candidate <= as_of else None
        end = closed or as_of
        h.rows["operations"].append(
            {
                "reference": ref,
                "name": op["name"],
                "lead_force": op["lead_force"],
                "forces": ";".join(op["forces"]),
                "soc_master_list": "yes" if op["soc"] else "no",
                "supported": "yes" if op["supported"] else "no",
                "exploitation_types": ";".join(op["types"]),
                "geographic_scale": op["scale"],
                "status": "closed" if closed else "open",
                "opened_on": _iso(op["opened"]),
                "closed_on": _iso(closed),
                "identified_on": _iso(op["identified"]),
                "scored_on": _iso(days["scored"]),
                "top10_on": _iso(days["top10"]),
                "linked_persons": "",
                "linked_networks": "",
            }
        )
        h.truth.append(
            {
                "reference": ref,
                "supported": op["supported"],
                "geographic_scale": op["scale"],
                "exploitation_types": ";".join(op["types"]),
                "identified_on": _iso(op["identified"]),
                **{f"latent_{ev}_days": round(op["latent"][ev], 2) for ev in EVENTS},
                **{f"{ev}_on": _iso(days[ev]) for ev in EVENTS},
            }
        )
        _children(d, h, op, n, days["disruption"], end)
    _requests(d, h, ops, forces)
    return h


def _children(
    d: _Draw, h: History, op: dict[str, Any], n: int, first: dt.date | None, end: dt.date
) -> None:
    """AARs, disruptions, referrals and outcomes of one operation."""
    cfg, rng, ref = d.cfg, d.rng, op["reference"]
    opened = op["opened"]
    if op["supported"]:
        for j in range(1 + int(rng.poisson(cfg["aars_per_supported"]))):
            h.rows["aars"].append(
                {
                    "reference": f"AAR/{n:04d}/{j + 1}",
                    "operation_reference": ref,
                    "aar_date": _iso(d.day_between(opened, end)),
                    "threat_types": ";".join(op["types"]),
                    "summary": "",
                }
            )
    dis: list[tuple[dt.date, bool]] = []
    before = (first or end) - dt.timedelta(days=1)
    if before >= opened:
        for _ in range(int(rng.poisson(cfg["minor_disruptions"]))):
            dis.append((d.day_between(opened, before), False))
    if first:
        dis.append((first, True))
        for _ in range(int(rng.poisson(cfg["later_disruptions"]))):
            dis.append((d.day_between(first, end), bool(rng.random() < 0.5)))
    for j, (day, significant) in enumerate(sorted(dis)):
        h.rows["disruptions"].append(
            {
                "reference": f"DIS/{n:04d}/{j + 1}",
                "operation_reference": ref,
                "disruption_date": _iso(day),
                "category": str(rng.choice(["pursue", "prevent", "protect", "prepare"])),
                "impact": str(rng.choice(["major", "moderate"]))
                if significant
                else str(rng.choice(["moderate", "minor"], p=[0.3, 0.7])),
                "significant": "yes" if significant else "no",
                "summary": "",
            }
        )
    j = 0
    for kind, rate in cfg["referrals"].items():
        for _ in range(int(rng.poisson(rate))):
            j += 1
            day = d.day_between(opened, end)
            outcome_day = day + dt.timedelta(days=int(rng.integers(5, 60)))
            pending = outcome_day > d.as_of
            h.rows["referrals"].append(
                {
                    "reference": f"REF/{n:04d}/{j}",
                    "operation_reference": ref,
                    "kind": kind,
                    "referred_on": _iso(day),
                    "outcome": "pending"
                    if pending
                    else str(
                        rng.choice(["accepted", "declined", "no_further_action"], p=[0.6, 0.2, 0.2])
                    ),
                    "outcome_on": "" if pending else _iso(outcome_day),
                }
            )
    j = 0
    for kind, rate in cfg["outcomes"].items():
        total = int(rng.poisson(rate))
        while total > 0:
            part = min(total, int(rng.integers(1, 5)))
            total -= part
            j += 1
            h.rows["outcomes"].append(
                {
                    "reference": f"OUT/{n:04d}/{j}",
                    "operation_reference": ref,
                    "kind": kind,
                    "recorded_on": _iso(d.day_between(opened, end)),
                    "count": str(part),
                    "pending": "yes"
                    if kind.startswith("new_") and rng.random() < cfg["pending_share"]
                    else "no",
                }
            )


def _requests(
    d: _Draw, h: History, ops: list[dict[str, Any]], forces: list[tuple[str, str]]
) -> None:
    """Workload-tracker requests: some per supported operation, some on their own."""
    cfg, rng = d.cfg, d.rng
    requesters = [c for c, _r in forces] + list(cfg["organisations"])
    kinds = ["analysis", "network_chart", "profile", "research", "advice"]
    plans: list[tuple[str | None, dt.date, str]] = []
    for op in ops:
        if op["supported"]:
            for _ in range(int(rng.poisson(cfg["requests_per_supported"]))):
                who = op["lead_force"] if rng.random() < 0.7 else str(rng.choice(requesters))
                plans.append((op["reference"], d.day_between(op["opened"], d.as_of), who))
    for _ in range(int(cfg["unlinked_requests"])):
        plans.append((None, d.day_between(d.start, d.as_of), str(rng.choice(requesters))))
    for i, (ref, day, who) in enumerate(plans, start=1):
        recent = (d.as_of - day).days < 30
        status = (
            str(rng.choice(["open", "in_progress"]))
            if recent
            else str(rng.choice(["completed", "declined"], p=[0.9, 0.1]))
        )
        h.rows["requests"].append(
            {
                "reference": f"REQ/{i:05d}",
                "requested_on": _iso(day),
                "requester": who,
                "request_type": str(rng.choice(kinds)),
                "status": status,
                "operation_reference": ref or "",
            }
        )


def write_history(history: History, out: Path) -> dict[str, int]:
    """Write ``tracker/<kind>.csv`` and ``truth/tracker_threats.csv`` and
    ``truth/tracker_effects.json`` under ``out``; returns the rows per file."""
    folder = Path(out) / TRACKER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind, rows in history.rows.items():
        _write_csv(folder / f"{kind}.csv", rows)
        counts[kind] = len(rows)
    truth = Path(out) / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    _write_csv(truth / "tracker_threats.csv", history.truth)
    (truth / "tracker_effects.json").write_text(
        json.dumps(history.effects, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return counts


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
