"""Truth about people and objects: ``truth/persons.parquet`` and ``truth/objects.parquet``.

Persons: one row per true person (the population, then one row per unidentified suspect),
with the true identity attributes. Objects: phones, emails, addresses, vehicles, payers and
partner accounts, each with the people who truly hold them, shared and placeholder objects
marked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toex.synth import contact
from toex.synth.partner import payer_token
from toex.synth.people import KINDS
from toex.synth.truth import days_array, write_table
from toex.synth.world import World

BATCH = 200_000


def _strings(vocab: np.ndarray, idx: np.ndarray) -> list[str | None]:
    return [str(vocab[i]) if i >= 0 else None for i in idx.tolist()]


def _name_dob_groups(world: World) -> np.ndarray:
    """Group number of people sharing forename, surname and DOB (-1 when unique)."""
    pop = world.pop
    key = np.stack([pop.fore, pop.sur, pop.sur2, pop.dob]).T.astype(np.int64)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    return np.where(counts[inverse] > 1, inverse, -1)


def write_persons(world: World, out: Path) -> None:
    """``truth/persons.parquet``, written in batches of :data:`BATCH` people."""
    n, u = world.n_identified, world.unidentified
    groups = _name_dob_groups(world)
    path = out / "truth" / "persons.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: pq.ParquetWriter | None = None
    for start in range(0, n + u, BATCH):
        end = min(n + u, start + BATCH)
        a, b = min(start, n), min(end, n)
        cols = _person_batch(world, a, b, groups)
        extra = max(0, end - max(start, n))
        if extra:
            cols = _append_unidentified(cols, max(start, n), extra)
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    if writer is not None:
        writer.close()


def _person_batch(world: World, a: int, b: int, groups: np.ndarray) -> dict[str, Any]:
    pop, names, book = world.pop, world.names, world.addresses
    sl = slice(a, b)
    nat_names = list(world.rates.section("nationalities"))
    forces = [f.code for f in world.forces]
    surname = [
        s if s2 is None else f"{s}-{s2}"
        for s, s2 in zip(
            _strings(names.surnames, pop.sur[sl]),
            _strings(names.surnames, pop.sur2[sl]),
            strict=True,
        )
    ]
    phones: list[list[str]] = [
        ([contact.e164(cc, p1)] if p1 else []) + ([contact.e164(44, p2)] if p2 else [])
        for cc, p1, p2 in zip(
            pop.phone_cc[sl].tolist(), pop.phone1[sl].tolist(), pop.phone2[sl].tolist(), strict=True
        )
    ]
    fore = _strings(names.forenames, pop.fore[sl])
    plain_sur = _strings(names.surnames, pop.sur[sl])
    emails = [
        [contact.email_address(f or "", s or "", pt, nm, dm)] if pt >= 0 else []
        for f, s, pt, nm, dm in zip(
            fore,
            plain_sur,
            pop.email_pat[sl].tolist(),
            pop.email_num[sl].tolist(),
            pop.email_dom[sl].tolist(),
            strict=True,
        )
    ]
    return {
        "person_id": [f"P{i + 1:07d}" for i in range(a, b)],
        "forename": fore,
        "middle_name": _strings(names.forenames, pop.middle[sl]),
        "surname": surname,
        "dob": days_array(pop.dob[sl], -(2**31)),
        "gender": np.where(pop.male[sl], "M", "F").tolist(),
        "nationality": [nat_names[i] for i in pop.nat[sl].tolist()],
        "pnc_id": [
            contact.pnc_id(y, s) if y >= 0 else None
            for y, s in zip(pop.pnc_year[sl].tolist(), pop.pnc_serial[sl].tolist(), strict=True)
        ],
        "cro_number": [
            contact.cro_number(y, s) if s >= 0 and y >= 0 else None
            for y, s in zip(pop.pnc_year[sl].tolist(), pop.cro_serial[sl].tolist(), strict=True)
        ],
        "home_address": [book.line(x) for x in pop.addr[sl].tolist()],
        "home_postcode": [book.postcode(x) for x in pop.addr[sl].tolist()],
        "previous_address": [book.line(x) if x >= 0 else None for x in pop.prev_addr[sl].tolist()],
        "previous_postcode": [
            book.postcode(x) if x >= 0 else None for x in pop.prev_addr[sl].tolist()
        ],
        "phones": pa.array(phones, pa.list_(pa.string())),
        "emails": pa.array(emails, pa.list_(pa.string())),
        "previous_surname": _strings(names.surnames, pop.prev_sur[sl]),
        "alias_forename": _strings(names.forenames, pop.alias_fore[sl]),
        "alias_surname": _strings(names.surnames, pop.alias_sur[sl]),
        "vehicle": [contact.vrm(v) if v >= 0 else None for v in pop.vrm[sl].tolist()],
        "kind": [KINDS[k] for k in pop.kind[sl].tolist()],
        "home_force": [forces[f] for f in pop.home_force[sl].tolist()],
        "forces_seen": pa.array(
            [
                [forces[j] for j in range(len(forces)) if s >> j & 1]
                for s in world.forces_seen[sl].tolist()
            ],
            pa.list_(pa.string()),
        ),
        "mention_count": world.mention_counts[sl].astype(np.int64),
        "is_placeholder_identity": np.zeros(b - a, dtype=bool),
        "name_dob_group": groups[sl].astype(np.int64),
        "household_id": [f"H{x + 1:07d}" for x in pop.addr[sl].tolist()],
    }


def _append_unidentified(cols: dict[str, Any], first: int, count: int) -> dict[str, Any]:
    """Add rows for ``count`` unidentified suspects starting at person index ``first``."""
    ids = [f"P{i + 1:07d}" for i in range(first, first + count)]
    out: dict[str, Any] = {}
    for name, col in cols.items():
        current = col if isinstance(col, pa.Array) else pa.array(col)
        if name == "person_id":
            extra = pa.array(ids, pa.string())
        elif name in ("phones", "emails", "forces_seen"):
            extra = pa.array([[] for _ in ids], pa.list_(pa.string()))
        elif name == "gender":
            extra = pa.array(["U"] * count, pa.string())
        elif name == "kind":
            extra = pa.array(["unidentified"] * count, pa.string())
        elif name == "mention_count":
            extra = pa.array(np.ones(count, dtype=np.int64))
        elif name == "is_placeholder_identity":
            extra = pa.array(np.ones(count, dtype=bool))
        elif name == "name_dob_group":
            extra = pa.array(np.full(count, -1, dtype=np.int64))
        else:
            extra = pa.nulls(count, current.type if current.type != pa.null() else pa.string())
        if current.type == pa.null():
            current = current.cast(extra.type)
        out[name] = pa.concat_arrays([current.cast(extra.type), extra])
    return out


def _part(kind: str, values: list[str], holders: np.ndarray) -> pa.Table:
    """One kind of object as a table of (object_type, value, person_id) rows."""
    ids = pa.array([f"P{int(i) + 1:07d}" for i in holders.tolist()], pa.string())
    return pa.table(
        {
            "object_type": pa.array([kind] * len(values), pa.string()),
            "value": pa.array(values, pa.string()),
            "person_id": ids,
        }
    )


def write_objects(world: World, out: Path, accounts: pa.Table, payers: np.ndarray) -> None:
    """``truth/objects.parquet``: every object and the people who hold it."""
    pop, book = world.pop, world.addresses
    n = world.n_identified
    parts: list[pa.Table] = []
    for cc, col in ((pop.phone_cc, pop.phone1), (np.full(n, 44), pop.phone2)):
        has = np.flatnonzero(col > 0)
        parts.append(
            _part(
                "phone",
                [
                    contact.e164(c, p)
                    for c, p in zip(cc[has].tolist(), col[has].tolist(), strict=True)
                ],
                has,
            )
        )
    hub = np.flatnonzero(world.hub)
    parts.append(_part("phone", [contact.e164(44, contact.PLACEHOLDER_NSN)] * len(hub), hub))
    has = np.flatnonzero(pop.email_pat >= 0)
    parts.append(
        _part(
            "email",
            [
                contact.email_address(f, s, pt, nm, dm)
                for f, s, pt, nm, dm in zip(
                    world.names.forenames[pop.fore[has]].tolist(),
                    world.names.surnames[pop.sur[has]].tolist(),
                    pop.email_pat[has].tolist(),
                    pop.email_num[has].tolist(),
                    pop.email_dom[has].tolist(),
                    strict=True,
                )
            ],
            has,
        )
    )
    for col in (pop.addr, pop.prev_addr):
        has = np.flatnonzero(col >= 0)
        parts.append(
            _part(
                "address", [f"{book.line(a)}, {book.postcode(a)}" for a in col[has].tolist()], has
            )
        )
    has = np.flatnonzero(pop.vrm >= 0)
    parts.append(_part("vehicle", [contact.vrm(v) for v in pop.vrm[has].tolist()], has))
    payers = np.unique(payers)
    parts.append(_part("payer", [payer_token(int(p), world.seed) for p in payers.tolist()], payers))
    table = pa.concat_tables(parts)
    del parts
    acc_holders = pa.table(
        {
            "object_type": pa.array(["account"] * accounts.num_rows * 2, pa.string()),
            "value": pa.concat_arrays([accounts["account_id"].combine_chunks()] * 2),
            "person_id": pa.concat_arrays(
                [
                    accounts["holder_person_id"].combine_chunks(),
                    accounts["controller_person_id"].combine_chunks(),
                ]
            ),
        }
    ).filter(pc.is_valid(pc.field("person_id")))
    table = pa.concat_tables([table, acc_holders]).sort_by(
        [("object_type", "ascending"), ("value", "ascending"), ("person_id", "ascending")]
    )
    grouped = (
        table.group_by(["object_type", "value"], use_threads=False)
        .aggregate([("person_id", "distinct")])
        .rename_columns(["object_type", "value", "person_ids"])
    )
    grouped = grouped.sort_by([("object_type", "ascending"), ("value", "ascending")])
    n_holders = pc.list_value_length(grouped["person_ids"])
    placeholder = pc.equal(grouped["value"], contact.e164(44, contact.PLACEHOLDER_NSN))
    grouped = grouped.append_column("holders", n_holders)
    grouped = grouped.append_column("is_shared", pc.greater(n_holders, 1))
    grouped = grouped.append_column("is_placeholder", placeholder)
    write_table(out / "truth" / "objects.parquet", {c: grouped[c] for c in grouped.column_names})
