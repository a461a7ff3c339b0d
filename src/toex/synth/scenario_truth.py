"""Scenario records for truth: identity plants, the placeholder hub, and writing them out.

``truth/scenarios.json`` lists every planted scenario (ID, type, forces, regions, geographic
scale, principal, facts, finding); ``truth/scenario_members.parquet`` has one row per member
(scenario_id, person_id, member_role, group_id).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from toex.synth import contact
from toex.synth.scenarios import Scenario, ScenarioPlan
from toex.synth.truth import write_table
from toex.synth.world import World


def identity_scenarios(
    world: World, twins: list[tuple[int, int]], pairs: list[tuple[int, int]]
) -> list[Scenario]:
    """Records of the planted twins and the distinct people sharing a name and DOB."""
    out = []
    if twins:
        out.append(
            Scenario(
                "TWINS",
                "twins",
                [],
                "Force",
                None,
                [(p, "twin", g) for g, pair in enumerate(twins) for p in pair],
                {"pairs": len(twins)},
                f"{len(twins)} pairs of twins: same surname, DOB and address, different forename; "
                "each twin is a distinct person",
            )
        )
    if pairs:
        out.append(
            Scenario(
                "NAME-DOB",
                "same_name_and_dob",
                [],
                "Force",
                None,
                [(p, "namesake", g) for g, pair in enumerate(pairs) for p in pair],
                {"pairs": len(pairs)},
                f"{len(pairs)} pairs of distinct people planted with the same forename, surname "
                "and date of birth",
            )
        )
    return out


def hub_scenario(world: World) -> Scenario:
    """The placeholder phone 07000000000 written on many unrelated people's records."""
    members = np.flatnonzero(world.hub).tolist()
    return Scenario(
        "HUB-PHONE",
        "placeholder_hub",
        [f.code for f in world.forces],
        "Force",
        None,
        [(int(p), "unrelated_holder", None) for p in members],
        {"value": contact.PLACEHOLDER_PHONE, "people": len(members)},
        f"The placeholder phone {contact.PLACEHOLDER_PHONE} appears on the records of "
        f"{len(members)} unrelated people; it must not link them",
    )


def write_scenarios(world: World, plan: ScenarioPlan, out: Path) -> None:
    """``truth/scenarios.json`` and ``truth/scenario_members.parquet``."""
    scenarios = [*plan.scenarios, hub_scenario(world)]
    records = []
    sid, pid, role, group = [], [], [], []
    for s in scenarios:
        records.append(
            {
                "scenario_id": s.scenario_id,
                "type": s.type,
                "forces": s.forces,
                "regions": s.regions,
                "geographic_scale": s.geographic_scale,
                "principal_person_id": f"P{s.principal + 1:07d}"
                if s.principal is not None
                else None,
                "members": len(s.members),
                "facts": s.facts,
                "finding": s.finding,
            }
        )
        for person, member_role, g in s.members:
            sid.append(s.scenario_id)
            pid.append(f"P{person + 1:07d}")
            role.append(member_role)
            group.append(g)
    (out / "truth" / "scenarios.json").write_text(
        json.dumps(
            {"as_of": str(world.rates.as_of), "scenarios": records}, indent=2, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    write_table(
        out / "truth" / "scenario_members.parquet",
        {"scenario_id": sid, "person_id": pid, "member_role": role, "group_id": group},
    )
