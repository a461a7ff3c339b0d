"""Batches of events before they are written: columns, person slots and crime persons.

A :class:`Chunk` is a batch of rows of one file kind for one force: event columns (day
numbers, codes), the person in each slot of each row, and for crimes the ragged list of
crime persons (victims, suspects, witnesses, reporting persons). Background generation and
planted scenarios both produce chunks; :func:`merge` interleaves scenario rows among
background rows at planned positions so planted records are not bunched at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ROLES = ("suspect", "victim", "witness", "reporting")


@dataclass
class CrimePeople:
    """Crime persons of a chunk: one entry per person row of the crime-person file."""

    event: np.ndarray  # int64 row of the crime in its chunk
    role: np.ndarray  # int8 index into ROLES
    person: np.ndarray  # int64 population index
    scenario: np.ndarray  # object: scenario ID or ""
    forced: dict[str, np.ndarray] = field(default_factory=dict)
    quiet: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Chunk:
    """A batch of rows of one kind of file."""

    kind: str
    cols: dict[str, np.ndarray]
    slots: dict[str, np.ndarray]  # slot -> population index per row (-1 empty)
    scenario: np.ndarray  # object: scenario ID or "" per row
    forced: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    quiet: dict[str, np.ndarray] = field(default_factory=dict)
    people: CrimePeople | None = None

    def __len__(self) -> int:
        return len(self.scenario)


def _full(n: int, value: object, dtype: object = object) -> np.ndarray:
    out = np.empty(n, dtype=dtype)  # type: ignore[call-overload]
    out[:] = value
    return out


def _cat_masks(parts: list[dict[str, np.ndarray]], sizes: list[int]) -> dict[str, np.ndarray]:
    names = sorted({k for p in parts for k in p})
    return {
        k: np.concatenate(
            [p.get(k, np.zeros(s, dtype=bool)) for p, s in zip(parts, sizes, strict=True)]
        )
        for k in names
    }


def concat(chunks: list[Chunk]) -> Chunk:
    """Rows of ``chunks`` one after another (crime persons re-pointed to their crimes)."""
    first = chunks[0]
    sizes = [len(c) for c in chunks]
    cols = {k: np.concatenate([c.cols[k] for c in chunks]) for k in first.cols}
    slots = {k: np.concatenate([c.slots[k] for c in chunks]) for k in first.slots}
    forced = {s: _cat_masks([c.forced.get(s, {}) for c in chunks], sizes) for s in first.slots}
    quiet = {
        s: np.concatenate([c.quiet.get(s, np.zeros(len(c), dtype=bool)) for c in chunks])
        for s in first.slots
    }
    people = None
    if first.people is not None:
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        parts = [c.people for c in chunks if c.people is not None]
        psizes = [len(p) for p in parts]
        people = CrimePeople(
            event=np.concatenate([p.event + o for p, o in zip(parts, offsets, strict=True)]),
            role=np.concatenate([p.role for p in parts]),
            person=np.concatenate([p.person for p in parts]),
            scenario=np.concatenate([p.scenario for p in parts]),
            forced=_cat_masks([p.forced for p in parts], psizes),
            quiet=np.concatenate(
                [p.quiet if p.quiet is not None else np.zeros(len(p), dtype=bool) for p in parts]
            ),
        )
    return Chunk(
        first.kind, cols, slots, np.concatenate([c.scenario for c in chunks]), forced, quiet, people
    )


def take(chunk: Chunk, order: np.ndarray) -> Chunk:
    """The rows of ``chunk`` in ``order`` (crime persons follow their crimes, in order)."""
    cols = {k: v[order] for k, v in chunk.cols.items()}
    slots = {k: v[order] for k, v in chunk.slots.items()}
    forced = {s: {k: m[order] for k, m in f.items()} for s, f in chunk.forced.items()}
    quiet = {s: q[order] for s, q in chunk.quiet.items()}
    people = None
    if chunk.people is not None:
        p = chunk.people
        new_pos = np.empty(len(order), dtype=np.int64)
        new_pos[order] = np.arange(len(order))
        ev = new_pos[p.event]
        by = np.argsort(ev, kind="stable")
        people = CrimePeople(
            ev[by],
            p.role[by],
            p.person[by],
            p.scenario[by],
            {k: m[by] for k, m in p.forced.items()},
            p.quiet[by] if p.quiet is not None else None,
        )
    return Chunk(chunk.kind, cols, slots, chunk.scenario[order], forced, quiet, people)


def merge(background: Chunk, planted: Chunk | None, positions: np.ndarray) -> Chunk:
    """Background rows with planted rows inserted before background row ``positions[j]``."""
    if planted is None or len(planted) == 0:
        return background
    keys = np.concatenate([2 * np.arange(len(background)) + 1, 2 * positions])
    order = np.argsort(keys, kind="stable")
    return take(concat([background, planted]), order)


def empty_like_scenario(n: int, value: str = "") -> np.ndarray:
    """A scenario-ID column of ``n`` rows."""
    return _full(n, value)


def select(chunk: Chunk, rows: np.ndarray) -> Chunk:
    """The chunk restricted to ``rows`` (in that order), keeping only their crime persons."""
    cols = {k: v[rows] for k, v in chunk.cols.items()}
    slots = {k: v[rows] for k, v in chunk.slots.items()}
    forced = {s: {k: m[rows] for k, m in f.items()} for s, f in chunk.forced.items()}
    quiet = {s: q[rows] for s, q in chunk.quiet.items()}
    people = None
    if chunk.people is not None:
        p = chunk.people
        new_pos = np.full(len(chunk), -1, dtype=np.int64)
        new_pos[rows] = np.arange(len(rows))
        ev = new_pos[p.event]
        keep = np.flatnonzero(ev >= 0)
        keep = keep[np.argsort(ev[keep], kind="stable")]
        people = CrimePeople(
            ev[keep],
            p.role[keep],
            p.person[keep],
            p.scenario[keep],
            {k: m[keep] for k, m in p.forced.items()},
            p.quiet[keep] if p.quiet is not None else None,
        )
    return Chunk(chunk.kind, cols, slots, chunk.scenario[rows], forced, quiet, people)
