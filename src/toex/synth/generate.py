"""Generate the whole synthetic data set: ``generate(out, scale, seed)``.

Order of work: population and identity plants (twins, same name and DOB), volumes, pools,
planted scenarios, then each force's files in catalogue order (crimes with crime persons,
intelligence, missing, custody, ViSOR), each written in chunks of ``chunk_rows`` events so
memory stays bounded; then the partner website, the operations list and the truth tables, and
last ``manifest.json``. Every random draw comes from a stream keyed by the seed and what it is
for, so the same seed and scale give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toex.config import load_catalogue
from toex.synth import events as ev
from toex.synth.chunks import Chunk, merge, select
from toex.synth.exploitation_networks import plant_exploitation_networks
from toex.synth.formats import file_format
from toex.synth.names import build_namebook
from toex.synth.network import plant_missing_children, plant_trafficking_network
from toex.synth.ocg import plant_ocg
from toex.synth.operations import write_operations, write_tracker
from toex.synth.partner_files import write_partner
from toex.synth.people import OFFENDER, PUBLIC, name_locales, plant_name_dob_pairs, plant_twins
from toex.synth.people_truth import write_objects, write_persons
from toex.synth.population import build_pools, build_population, force_weights
from toex.synth.profile_scenarios import plant_profiles
from toex.synth.rates import load_rates, weighted
from toex.synth.rows import FileState, TruthSinks, write_chunk
from toex.synth.scenario_truth import identity_scenarios, write_scenarios
from toex.synth.scenarios import ScenarioPlan
from toex.synth.serial import plant_registered_offender, plant_serial_offenders
from toex.synth.truth import EVENT_SCHEMA, MENTION_SCHEMA, QUARANTINE_COLUMNS, TableSink
from toex.synth.world import World, stream_key
from toex.synth.writers import open_sink

Progress = Callable[[str, int, int], None]
"""Called as ``progress(description, events_done_since_last_call, total_events)``."""
KINDS = ("crime", "intel", "missing", "custody")
MALFORMED = {
    "crime": ("bad_date", "unknown_offence_code"),
    "crime_person": ("missing_required", "field_count"),
    "intel": ("missing_required", "field_count"),
    "custody": ("unknown_offence_code",),
}
GENERATORS: dict[str, Callable[..., Chunk]] = {
    "crime": ev.crime_chunk,
    "intel": ev.intel_chunk,
    "missing": ev.missing_chunk,
    "custody": ev.custody_chunk,
}


def plan_volumes(world: World) -> dict[str, list[int]]:
    """Background events of each kind per force, sized to the scale's mention target."""
    rates, scale = world.rates, world.scale
    asw = rates.section("asw")
    police = scale.mentions - scale.asw_accounts * (1 + asw["payments_per_account"])
    crime = rates.section("crime")
    codes, p = weighted(crime["offence_mix"])
    business = float(sum(q for c, q in zip(codes, p, strict=True) if c in ev.BUSINESS_CODES))
    no_victim = business * crime["business_no_victim_share"]
    per_event = {
        "crime": (1 - no_victim)
        + crime["suspect_share"] * (1 + crime["second_suspect_share"])
        + crime["witness_share"]
        + crime["reporting_share"]
        + no_victim * (1 - crime["reporting_share"]),
        "intel": 1 + rates.section("intel")["associate_share"],
        "missing": 1.0,
        "custody": 1.0,
        "visor": 1.0,
    }
    mix = dict(rates.section("mention_mix"))
    mix["crime"] = mix.pop("crime_person")
    fw = force_weights(world.catalogue)
    return {
        k: [max(2, round(police * mix[k] / per_event[k] * w)) for w in fw]
        for k in (*KINDS, "visor")
    }


def build_world(seed: int, scale_name: str) -> tuple[World, ScenarioPlan, dict[str, Any]]:
    """The population, pools and planted scenarios for ``seed`` and ``scale_name``."""
    rates = load_rates()
    scale = rates.scale(scale_name)
    catalogue = load_catalogue()
    names = build_namebook(tuple(name_locales(rates)), float(rates.data["first_name_zipf"]))
    rng = np.random.default_rng([seed, *stream_key("population")])
    pop, book = build_population(rng, rates, scale, catalogue, names)
    world = World(seed, scale, rates, catalogue, names, pop, book)
    # plant on active adults, who are likely to be mentioned
    adults = np.flatnonzero(
        ((pop.kind == OFFENDER) | (pop.kind == PUBLIC))
        & (pop.dob < world.as_of_days - 18 * 365)
        & (pop.weight >= 1.5)
    )
    ident_rng = world.rng("identities")
    picks = ident_rng.permutation(adults)
    twins = plant_twins(ident_rng, pop, names, scale.twins, picks[: 2 * scale.twins])
    pairs = plant_name_dob_pairs(
        ident_rng,
        pop,
        scale.name_dob_pairs,
        picks[2 * scale.twins : 2 * scale.twins + 2 * scale.name_dob_pairs],
    )
    volumes = plan_volumes(world)
    world.pools = build_pools(pop, catalogue, rates, volumes["visor"], world.rng("pools"))
    plan = ScenarioPlan()
    plant_serial_offenders(world, plan, scale.serial_offenders, scale.serial_per_force)
    plant_registered_offender(world, plan)
    network = plant_trafficking_network(world, plan)
    plant_missing_children(world, plan, network)
    plant_ocg(world, plan)
    plant_exploitation_networks(world, plan)
    plant_profiles(world, plan)
    plan.scenarios.extend(identity_scenarios(world, twins, pairs))
    world.start_counting()
    return world, plan, {"volumes": volumes}


def _plan_faults(
    world: World, kind: str, n_bg: int, positions: np.ndarray, fmts: dict[str, FileState], fi: int
) -> None:
    """Choose background events to malform; record them by final position."""
    want = [
        (fname, reason)
        for fname in ((kind, "crime_person") if kind == "crime" else (kind,))
        for reason in MALFORMED.get(fname, ())
        if fname in fmts and (reason != "field_count" or fmts[fname].fmt.file_type == "csv")
    ]
    if not want:
        return
    per = world.scale.malformed_per_file
    rng = world.rng("faults", kind, fi)
    chosen = rng.choice(n_bg, size=min(n_bg, per * len(want)), replace=False)
    for j, b in enumerate(chosen.tolist()):
        fname, reason = want[j // per]
        final = b + int(np.searchsorted(positions, b, side="right"))
        fmts[fname].malformed[final] = reason


def write_force(
    world: World,
    fi: int,
    volumes: dict[str, list[int]],
    plan: ScenarioPlan,
    out: Path,
    sinks: TruthSinks,
    progress: Progress | None,
    total: int,
) -> list[FileState]:
    """Write every file of force ``fi``; returns their states."""
    force = world.forces[fi]
    system = force.record_system
    states: list[FileState] = []

    def state(sys: str, kind: str) -> FileState:
        """Open the force's file of ``kind`` in system ``sys``."""
        fmt = file_format(sys, kind)
        rel = f"forces/{force.code}/{fmt.name}"
        s = FileState(fmt, rel, force.code, open_sink(out / rel, fmt))
        states.append(s)
        return s

    chunk_rows = world.scale.chunk_rows
    for kind in KINDS:
        main = state(system, kind)
        files = {kind: main}
        people = state(system, "crime_person") if kind == "crime" else None
        if people is not None:
            files["crime_person"] = people
        n_bg = volumes[kind][fi]
        planted = plan.planted(fi, kind)
        n_pl = len(planted) if planted is not None else 0
        positions = np.sort(world.rng("positions", kind, fi).integers(0, n_bg + 1, n_pl))
        _plan_faults(world, kind, n_bg, positions, files, fi)
        for start in range(0, n_bg, chunk_rows):
            end = min(n_bg, start + chunk_rows)
            bg = GENERATORS[kind](world, fi, end - start, world.rng(kind, fi, start))
            last = end == n_bg
            sel = np.flatnonzero((positions >= start) & ((positions < end) | last))
            part = select(planted, sel) if planted is not None and len(sel) else None
            chunk = merge(bg, part, positions[sel] - start)
            write_chunk(world, fi, chunk, main, sinks, people)
            if progress:
                progress(f"{force.code} {kind}", end - start, total)
        tail = plan.planted_tail(fi, kind)
        if tail is not None:
            write_chunk(world, fi, tail, main, sinks, people)
    visor = state("visor", "visor")
    bg = ev.visor_chunk(world, fi, world.pools[fi].registrants, world.rng("visor", fi))
    planted = plan.planted(fi, "visor")
    positions = np.sort(
        world.rng("positions", "visor", fi).integers(
            0, len(bg) + 1, len(planted) if planted is not None else 0
        )
    )
    write_chunk(world, fi, merge(bg, planted, positions), visor, sinks)
    tail = plan.planted_tail(fi, "visor")
    if tail is not None:
        write_chunk(world, fi, tail, visor, sinks)
    for s in states:
        s.sink.close()
    return states


def generate(
    out: Path, scale: str = "tiny", seed: int = 7, progress: Progress | None = None
) -> dict[str, Any]:
    """Write the data set for ``scale`` and ``seed`` under ``out``; returns the manifest."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world, plan, info = build_world(seed, scale)
    sinks = TruthSinks(
        TableSink(out / "truth" / "mentions.parquet", MENTION_SCHEMA),
        TableSink(out / "truth" / "events.parquet", EVENT_SCHEMA),
    )
    states: list[FileState] = []
    total = sum(sum(v) for k, v in info["volumes"].items() if k != "visor")
    for fi in range(len(world.forces)):
        states += write_force(world, fi, info["volumes"], plan, out, sinks, progress, total)
    if progress:
        progress("partner website", 0, total)
    states += write_partner(world, plan, out, sinks, world.scale.malformed_per_file)
    if progress:
        progress("truth tables", 0, total)
    states.append(write_operations(world, out, plan.operations, sinks))
    tracker = write_tracker(world, out, plan.operations)
    sinks.mentions.close()
    sinks.events.close()
    _write_quarantine(out, sinks)
    accounts = pq.read_table(out / "truth" / "asw_accounts.parquet")
    payers = _payers(out)
    write_persons(world, out)
    write_objects(world, out, accounts, payers)
    write_scenarios(world, plan, out)
    manifest = {
        "seed": seed,
        "scale": scale,
        "as_of": str(world.rates.as_of),
        "tracker": tracker,
        "files": [
            {
                "path": s.path,
                "force": s.force,
                "system": s.fmt.system,
                "kind": s.fmt.kind,
                "file_type": s.fmt.file_type,
                "encoding": s.fmt.encoding,
                "rows": s.sink.rows,
            }
            for s in states
        ],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _write_quarantine(out: Path, sinks: TruthSinks) -> None:
    rows = sorted(sinks.quarantine)
    with (out / "truth" / "expected_quarantine.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(QUARANTINE_COLUMNS)
        writer.writerows(rows)


def _payers(out: Path) -> np.ndarray:
    """Population indices of everyone who paid on the partner website."""
    table = pq.read_table(
        out / "truth" / "mentions.parquet",
        columns=["slot", "person_id"],
        filters=[("slot", "=", "payer")],
    )
    ids = pc.utf8_slice_codeunits(table["person_id"], 1).cast("int64").to_numpy()
    return np.unique(ids - 1)
