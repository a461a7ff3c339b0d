"""The regional TOEX unit's operations list (``regional/toex/operations.csv``).

Threat types and geographic scales follow the briefing's tables of jobs by exploitation type
and by scale; planted scenarios add their own operations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from toex.synth.dates import NO_DATE, format_day
from toex.synth.formats import file_format
from toex.synth.rates import choose, weighted
from toex.synth.rows import FileState, TruthSinks
from toex.synth.scenarios import PlantedOperation
from toex.synth.truth import days_array
from toex.synth.world import World
from toex.synth.writers import open_sink

CODENAMES = (
    "Alder",
    "Bramble",
    "Cobalt",
    "Dunlin",
    "Ember",
    "Fennel",
    "Granite",
    "Heron",
    "Indigo",
    "Juniper",
    "Kite",
    "Larch",
    "Merlin",
    "Nettle",
    "Osprey",
    "Plover",
    "Quartz",
    "Rowan",
    "Sorrel",
    "Tansy",
    "Umber",
    "Vetch",
    "Wren",
    "Yarrow",
    "Avocet",
    "Bittern",
    "Curlew",
    "Dotterel",
    "Egret",
    "Fulmar",
    "Gannet",
    "Hobby",
    "Ibis",
    "Jackdaw",
    "Lapwing",
    "Mallard",
    "Nightjar",
    "Oriole",
    "Petrel",
    "Redstart",
    "Siskin",
    "Teal",
    "Warbler",
    "Wheatear",
    "Whimbrel",
)
PATH = "regional/toex/operations.csv"


def plan_operations(world: World, planted: list[PlantedOperation]) -> list[PlantedOperation]:
    """Background operations plus the planted ones, in file order."""
    cfg = world.rates.section("operations")
    rng = world.rng("operations")
    n = world.scale.operations
    threats, _ = weighted(cfg["threat_types"])
    scales, _ = weighted(cfg["geographic_scale"])
    t = choose(rng, cfg["threat_types"], n)
    g = choose(rng, cfg["geographic_scale"], n)
    lead = rng.integers(0, len(world.forces), n)
    span = world.as_of_days - world.start_days
    start = world.start_days + rng.integers(0, span - 30, n)
    ends = start + rng.integers(60, 900, n)
    open_ = (rng.random(n) < cfg["open_share"]) | (ends > world.as_of_days)
    ops = [
        PlantedOperation(
            "",
            f"Op {CODENAMES[i % len(CODENAMES)]}"
            + (f" {i // len(CODENAMES) + 1}" if i >= len(CODENAMES) else ""),
            threats[t[i]],
            world.forces[lead[i]].code,
            int(start[i]),
            NO_DATE if open_[i] else int(ends[i]),
            scales[g[i]],
        )
        for i in range(n)
    ]
    for p in planted:
        ops.insert(int(rng.integers(0, len(ops) + 1)), p)
    return ops


def write_operations(
    world: World, out: Path, planted: list[PlantedOperation], sinks: TruthSinks
) -> FileState:
    """Write the operations file and its truth events."""
    fmt = file_format("toex", "operation")
    state = FileState(fmt, PATH, "toex", open_sink(out / PATH, fmt))
    ops = plan_operations(world, planted)
    rows = []
    for i, op in enumerate(ops):
        values = {
            "reference": f"TOEX/OP/{i + 1:04d}",
            "name": op.name,
            "threat_type": op.threat_type,
            "lead_force": op.lead_force,
            "start_date": format_day(op.start, fmt.date_format),
            "end_date": format_day(op.end, fmt.date_format),
            "geographic_scale": op.geographic_scale,
            "handling_code": "C",
            "classification": "OFFICIAL-SENSITIVE",
        }
        rows.append([values[k] for k in fmt.columns])
    state.sink.write(rows)
    state.events = len(rows)
    n = len(ops)
    sinks.events.write(
        {
            "source_file": [PATH] * n,
            "source_row": np.arange(1, n + 1, dtype=np.int64),
            "reference": [r[0] for r in rows],
            "event_type": ["operation"] * n,
            "force": [op.lead_force for op in ops],
            "system": ["toex"] * n,
            "occurred_from": days_array(np.array([op.start for op in ops]), NO_DATE),
            "occurred_to": days_array(np.array([op.end for op in ops]), NO_DATE),
            "reported_date": [None] * n,
            "offence_code": [None] * n,
            "vawg": [None] * n,
            "lpc": [None] * n,
            "oic": [None] * n,
            "risk_level": [None] * n,
            "scenario_id": [op.scenario_id or None for op in ops],
            "malformed": [None] * n,
            "text_person_ids": [[] for _ in range(n)],
        }
    )
    state.sink.close()
    return state


def write_tracker(world: World, out: Path, planted: list[PlantedOperation]) -> dict[str, int]:
    """Write the operations tracker's history (``tracker/``, :mod:`toex.synth.tracker_history`)
    keeping the regional operations list's references, names, forces, types and scales."""
    from toex.model import ExploitationType, GeographicScale
    from toex.synth.dates import from_days
    from toex.synth.tracker_history import BaseOperation, build_history, code_of, write_history

    base = [
        BaseOperation(
            f"TOEX/OP/{i + 1:04d}",
            op.name,
            op.lead_force,
            code_of(ExploitationType, op.threat_type),
            code_of(GeographicScale, op.geographic_scale),
            from_days(op.start),
        )
        for i, op in enumerate(plan_operations(world, planted))
    ]
    forces = [(f.code, f.region) for f in world.forces]
    history = build_history(world.seed, world.rates.as_of, forces, base=base)
    return write_history(history, out)
