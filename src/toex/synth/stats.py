"""Realism statistics of a generated data set, computed from its truth and manifest.

:func:`compute_stats` returns a plain dict: persons and mentions, mentions per force and per
file kind, the share of the most common surname, the share of people seen in two or more
forces, each variation's realised rate beside its configured rate (over the mentions that
were eligible for it, planted-scenario mentions left out), placeholder counts and rates,
name-and-DOB collisions, and a summary of every planted scenario.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toex.errors import InputError
from toex.synth.formats import file_format
from toex.synth.names import load_nicknames
from toex.synth.rates import load_rates
from toex.synth.variations import PLACEHOLDER_FIELDS, VARIATIONS, MentionFacts, eligibility

POLICE_SYSTEMS = frozenset({"athena", "niche", "connect", "wmp", "visor"})
PERSON_COLUMNS = [
    "person_id",
    "forename",
    "middle_name",
    "surname",
    "dob",
    "phones",
    "previous_surname",
    "alias_forename",
    "previous_address",
    "forces_seen",
    "mention_count",
    "is_placeholder_identity",
    "name_dob_group",
]
MENTION_COLUMNS = [
    "source_file",
    "slot",
    "force",
    "system",
    "person_id",
    "variations",
    "placeholder_fields",
    "scenario_id",
]


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    if not path.exists():
        raise InputError(f"{path} not found: is this a toex synth output directory?")
    return pq.read_table(path, columns=columns)


def _person_index(ids: pa.ChunkedArray) -> np.ndarray:
    return pc.utf8_slice_codeunits(ids, 1).cast(pa.int64()).to_numpy() - 1


def _list_matrix(col: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    """Bool matrix (rows x names) of a list<string> column."""
    arr = col.combine_chunks()
    out = np.zeros((len(arr), len(names)), dtype=bool)
    flat = pc.list_flatten(arr)
    if len(flat) == 0:
        return out
    parents = pc.list_parent_indices(arr).to_numpy()
    which = pc.index_in(flat, value_set=pa.array(names, pa.string()))
    known = pc.is_valid(which).to_numpy(zero_copy_only=False)
    cols = pc.fill_null(which, 0).to_numpy()
    out[parents[known], cols[known]] = True
    return out


def _person_facts(persons: pa.Table) -> dict[str, np.ndarray]:
    nick = pa.array(sorted(load_nicknames()), pa.string())
    dob = persons["dob"].combine_chunks()
    valid = pc.is_valid(dob).to_numpy(zero_copy_only=False)
    days = pc.fill_null(dob.cast(pa.int32()), 0).to_numpy()
    d = days.astype("datetime64[D]")
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(
        np.int64
    ) + 1
    day = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1

    def flag(expr: pa.ChunkedArray | pa.Array) -> np.ndarray:
        return np.asarray(pc.fill_null(expr, False).to_numpy(zero_copy_only=False), dtype=bool)

    return {
        "identified": ~flag(persons["is_placeholder_identity"]),
        "has_diminutive": flag(pc.is_in(persons["forename"], value_set=nick)),
        "has_middle": flag(pc.is_valid(persons["middle_name"])),
        "has_sur2": flag(pc.match_substring(persons["surname"], "-")),
        "has_prev_sur": flag(pc.is_valid(persons["previous_surname"])),
        "has_alias": flag(pc.is_valid(persons["alias_forename"])),
        "has_phone": flag(pc.greater(pc.list_value_length(persons["phones"]), 0)),
        "has_prev_addr": flag(pc.is_valid(persons["previous_address"])),
        "dob_day": np.where(valid, day, 0),
        "dob_month": np.where(valid, month, 0),
    }


def variation_rates(
    out: Path, manifest: dict[str, Any], persons: pa.Table, mentions: pa.Table
) -> dict[str, dict[str, float]]:
    """Realised vs configured rate of each variation and placeholder (police mentions only)."""
    rates = load_rates()
    kinds = {f["path"]: (f["system"], f["kind"]) for f in manifest["files"]}
    facts_all = _person_facts(persons)
    eligible = {k: 0 for k in (*VARIATIONS, *PLACEHOLDER_FIELDS)}
    applied = dict(eligible)
    background = pc.is_null(mentions["scenario_id"])
    police = pc.is_in(mentions["system"], pa.array(sorted(POLICE_SYSTEMS)))
    sel = mentions.filter(pc.and_(background, police))
    distinct = sel.group_by(["source_file", "slot"], use_threads=False).aggregate([])
    keys = sorted(
        zip(distinct["source_file"].to_pylist(), distinct["slot"].to_pylist(), strict=True)
    )

    for path, slot in keys:
        group = sel.filter(pc.and_(pc.equal(sel["source_file"], path), pc.equal(sel["slot"], slot)))
        system, kind = kinds[path]
        fields = file_format(system, kind).slot_fields(slot)
        idx = _person_index(group["person_id"])
        facts = MentionFacts(fields=fields, **{k: v[idx] for k, v in facts_all.items()})
        ph_m = _list_matrix(group["placeholder_fields"], PLACEHOLDER_FIELDS)
        v_m = _list_matrix(group["variations"], VARIATIONS)
        ph = {k: ph_m[:, i] for i, k in enumerate(PLACEHOLDER_FIELDS)}
        done = {k: v_m[:, i] for i, k in enumerate(VARIATIONS)}
        for name, mask in eligibility(facts, ph, done).items():
            eligible[name] += int(mask.sum())
            applied[name] += int((mask & done[name]).sum())
        for name in PLACEHOLDER_FIELDS:
            ok = facts.identified & (name in fields)
            eligible[name] += int(ok.sum())
            applied[name] += int((ok & ph[name]).sum())
    configured = {
        **rates.variations,
        **{k: float(rates.placeholders[k]) for k in PLACEHOLDER_FIELDS},
    }
    out_rates = {}
    for name in (*VARIATIONS, *PLACEHOLDER_FIELDS):
        label = name if name in VARIATIONS else f"placeholder_{name}"
        out_rates[label] = {
            "configured": configured[name],
            "eligible": eligible[name],
            "applied": applied[name],
            "realised": applied[name] / eligible[name] if eligible[name] else 0.0,
        }
    return out_rates


def compute_stats(out: Path) -> dict[str, Any]:
    """Realism statistics of the data set in ``out`` (see the module docstring)."""
    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        raise InputError(f"{manifest_path} not found: is this a toex synth output directory?")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    persons = _read(out / "truth" / "persons.parquet", PERSON_COLUMNS)
    mentions = _read(out / "truth" / "mentions.parquet", MENTION_COLUMNS)
    kinds = {f["path"]: f["kind"] for f in manifest["files"]}
    by_force = pc.value_counts(mentions["force"]).to_pylist()
    by_file = pc.value_counts(mentions["source_file"]).to_pylist()
    per_kind: dict[str, int] = {}
    for item in by_file:
        k = kinds[item["values"]]
        per_kind[k] = per_kind.get(k, 0) + item["counts"]
    identified = persons.filter(pc.invert(persons["is_placeholder_identity"]))
    mentioned = identified.filter(pc.greater(identified["mention_count"], 0))
    surnames = pc.value_counts(pc.utf8_upper(mentioned["surname"])).to_pylist()
    top = max(surnames, key=lambda x: (x["counts"], x["values"]))
    police_seen = pc.greater(pc.list_value_length(mentioned["forces_seen"]), 0)
    in_police = mentioned.filter(police_seen)
    multi = pc.sum(pc.greater_equal(pc.list_value_length(in_police["forces_seen"]), 2)).as_py()
    ph = _list_matrix(mentions["placeholder_fields"], PLACEHOLDER_FIELDS)
    unknown = int(persons.num_rows - identified.num_rows)
    groups = pc.greater_equal(mentioned["name_dob_group"], 0)
    scenarios = json.loads((out / "truth" / "scenarios.json").read_text("utf-8"))["scenarios"]
    files_by_force: dict[str, dict[str, int]] = {}
    for f in manifest["files"]:
        entry = files_by_force.setdefault(f["force"], {"files": 0, "rows": 0})
        entry["files"] += 1
        entry["rows"] += f["rows"]
    return {
        "seed": manifest["seed"],
        "scale": manifest["scale"],
        "as_of": manifest["as_of"],
        "persons": identified.num_rows,
        "persons_mentioned": mentioned.num_rows,
        "unidentified_suspects": unknown,
        "mentions": mentions.num_rows,
        "mentions_per_force": {
            x["values"]: x["counts"] for x in sorted(by_force, key=lambda x: x["values"])
        },
        "mentions_per_kind": dict(sorted(per_kind.items())),
        "files_per_force": files_by_force,
        "most_common_surname": top["values"],
        "most_common_surname_share": top["counts"] / mentioned.num_rows,
        "persons_in_2plus_forces": int(multi),
        "persons_in_2plus_forces_share": multi / max(in_police.num_rows, 1),
        "mentions_per_person_max": int(pc.max(mentioned["mention_count"]).as_py()),
        "mentions_per_person_mean": mentions.num_rows / max(mentioned.num_rows, 1),
        "placeholder_mentions": {k: int(ph[:, i].sum()) for i, k in enumerate(PLACEHOLDER_FIELDS)},
        "people_sharing_name_and_dob": int(pc.sum(groups).as_py() or 0),
        "variation_rates": variation_rates(out, manifest, persons, mentions),
        "bands": load_rates().section("bands"),
        "scenarios": [
            {
                "scenario_id": s["scenario_id"],
                "type": s["type"],
                "members": s["members"],
                "finding": s["finding"],
            }
            for s in scenarios
        ],
    }
