"""Turn chunks of events into rows of a force's files, with their truth.

For each chunk this module renders every person slot (:mod:`toex.synth.mentions`), spells
the event columns the system's way (references, dates, booleans, LPC and officer names,
grading), plants the malformations planned for the file, writes the rows, and streams the
truth: one mention row per person slot, one event row per file row, one expected quarantine
per malformed row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toex.model import EventType, offence_table
from toex.synth import contact, texts
from toex.synth.chunks import ROLES, Chunk
from toex.synth.dates import NO_DATE, format_dates, format_ymd, ymd
from toex.synth.formats import SLOTS, FileFormat
from toex.synth.mentions import RECORDED, RenderedSlot, render_slot
from toex.synth.places import load_places
from toex.synth.truth import TableSink, days_array, list_array
from toex.synth.variations import PLACEHOLDER_FIELDS
from toex.synth.world import World

REFERENCES = {
    ("athena", "crime"): "{fn}/{seq:06d}/{yy:02d}",
    ("athena", "intel"): "IR-{fn}-{seq:07d}",
    ("athena", "missing"): "MP/{fn}/{yy:02d}/{seq:05d}",
    ("athena", "custody"): "CU{fn}{seq:07d}",
    ("niche", "crime"): "{FC}{yy:02d}{seq:07d}",
    ("niche", "intel"): "INT{fn}{seq:08d}",
    ("niche", "missing"): "MIS-{yy:02d}-{seq:06d}",
    ("niche", "custody"): "{FC}C{seq:07d}",
    ("connect", "crime"): "CR{fn}/{yy:02d}/{seq:06d}",
    ("connect", "intel"): "{FC}-IN-{seq:07d}",
    ("connect", "missing"): "MISP{fn}{seq:06d}",
    ("connect", "custody"): "{FC}/CUS/{seq:07d}",
    ("wmp", "crime"): "CRI{yy:02d}{seq:08d}",
    ("wmp", "intel"): "INT/{yy:02d}/{seq:07d}",
    ("wmp", "missing"): "MISS{seq:07d}",
    ("wmp", "custody"): "WMC{seq:08d}",
    ("visor", "visor"): "VIS/{FC}/{seq:06d}",
}
RISK_SPELLING = {
    "athena": {
        "high": "High",
        "medium": "Medium",
        "low": "Low",
        "no apparent risk": "No Apparent Risk",
    },
    "niche": {
        "high": "HIGH",
        "medium": "MEDIUM",
        "low": "LOW",
        "no apparent risk": "NO APPARENT RISK",
    },
    "connect": {
        "high": "High Risk",
        "medium": "Medium Risk",
        "low": "Low Risk",
        "no apparent risk": "No Apparent Risk",
    },
    "wmp": {
        "high": "High",
        "medium": "Medium",
        "low": "Low",
        "no apparent risk": "No apparent risk",
    },
    "visor": {"low": "Low", "medium": "Medium", "high": "High", "very high": "Very High"},
}
EVENT_TYPES = {
    "crime": EventType.CRIME,
    "intel": EventType.INTELLIGENCE,
    "missing": EventType.MISSING_EPISODE,
    "custody": EventType.CUSTODY,
    "visor": EventType.VISOR,
}
SLOT_ROLES = {
    "subject": "subject",
    "associate": "associate",
    "missing": "missing",
    "custody": "detainee",
    "visor": "registrant",
}
BAD_CODES = ("93X", "99Z")
DATE_FIELDS = {
    "crime": "occurred_from",
    "intel": "intel_date",
    "missing": "missing_date",
    "custody": "arrest_date",
    "visor": "registration_date",
}


@dataclass
class FileState:
    """One output file being written: its format, sink, counters and planted faults."""

    fmt: FileFormat
    path: str  # relative to the output directory, posix
    force: str
    sink: Any
    events: int = 0  # events (file rows or crimes) written so far
    malformed: dict[int, str] = field(default_factory=dict)  # event position -> reason


@dataclass
class TruthSinks:
    """The streamed truth tables and the expected quarantines."""

    mentions: TableSink
    events: TableSink
    quarantine: list[tuple[str, int, str, str, str]] = field(default_factory=list)


def person_ids(persons: np.ndarray) -> list[str]:
    """Truth person IDs of population indices."""
    return [f"P{int(p) + 1:07d}" for p in persons.tolist()]


def references(
    fmt: FileFormat, force_index: int, force_code: str, first: int, days: np.ndarray
) -> list[str]:
    """References of consecutive events starting at sequence ``first`` (1-based)."""
    template = REFERENCES[(fmt.system, fmt.kind)]
    years = (ymd(days)[0] % 100).tolist()
    fn = f"{30 + force_index}"
    fc = force_code.upper()
    return [template.format(seq=first + i, yy=y, fn=fn, FC=fc) for i, y in enumerate(years)]


def _emit_mentions(
    world: World,
    truth: TableSink,
    path: str,
    first_row: int,
    refs: list[str],
    slot: str,
    force: str,
    system: str,
    roles: list[str],
    persons: np.ndarray,
    rendered: RenderedSlot,
    scenario: np.ndarray,
) -> None:
    keep = rendered.present
    idx = np.flatnonzero(keep)
    hub = persons[rendered.placeholders[:, PLACEHOLDER_FIELDS.index("phone")] & keep]
    world.hub[hub[hub < world.n_identified]] = True
    truth.write(
        {
            "source_file": [path] * len(idx),
            "source_row": (first_row + idx).astype(np.int64),
            "reference": [refs[i] for i in idx.tolist()],
            "slot": [slot] * len(idx),
            "force": [force] * len(idx),
            "system": [system] * len(idx),
            "role": [roles[i] for i in idx.tolist()],
            "person_id": person_ids(persons[idx]),
            "variations": list_array(rendered.variations[idx], RECORDED),
            "placeholder_fields": list_array(rendered.placeholders[idx], PLACEHOLDER_FIELDS),
            "scenario_id": [s or None for s in scenario[idx].tolist()],
        }
    )


def _spell_events(
    world: World,
    force: int,
    fmt: FileFormat,
    chunk: Chunk,
    refs: list[str],
    rng: np.random.Generator,
) -> dict[str, list[Any]]:
    f = world.forces[force]
    cols = chunk.cols
    n = len(chunk)
    out: dict[str, list[Any]] = {"reference": list(refs)}
    table = offence_table()
    for name in (
        "occurred_from",
        "occurred_to",
        "reported_date",
        "intel_date",
        "missing_date",
        "found_date",
        "arrest_date",
        "registration_date",
    ):
        if name in cols:
            out[name] = format_dates(cols[name], fmt.date_format)
    if "offence_code" in cols:
        out["offence_code"] = cols["offence_code"].tolist()
        out["offence_description"] = [table[c].description for c in out["offence_code"]]
    if "vawg" in cols:
        out["vawg"] = [fmt.boolean(bool(v)) for v in cols["vawg"].tolist()]
    if "lpc" in cols:
        out["lpc"] = [f.lpcs[i] for i in cols["lpc"].tolist()]
    if "oic" in cols:
        ids = f.officer_ids()
        out["oic"] = [ids[i] for i in cols["oic"].tolist()]
    if "status" in cols:
        statuses = world.rates.section("crime")["statuses"]
        out["status"] = [statuses[i] for i in cols["status"].tolist()]
    if "risk_level" in cols:
        spelling = RISK_SPELLING[fmt.system]
        out["risk_level"] = [spelling[r] for r in cols["risk_level"].tolist()]
    for name in ("handling_code", "classification", "mappa_category", "mappa_level"):
        if name in cols:
            out[name] = cols[name].tolist()
    if fmt.file_type == "xlsx":
        for name in ("mappa_category", "mappa_level"):
            if name in out:
                out[name] = [int(x) for x in out[name]]
    if "source" in cols:
        spellings = world.rates.section("intel")["grading_spellings"]
        keys = list(spellings)
        p = np.array([spellings[k] for k in keys], dtype=float)
        u = rng.random(n)
        pick = np.searchsorted(np.cumsum(p / p.sum()), u, side="right").clip(0, len(keys) - 1)
        out["grading"] = [
            keys[k].format(s=s, a=a, h=h, al=a.lower(), hl=h.lower())
            for k, s, a, h in zip(
                pick.tolist(),
                cols["source"].tolist(),
                cols["assessment"].tolist(),
                cols["handling_code"].tolist(),
                strict=True,
            )
        ]
    if "found_addr" in cols:
        book = world.addresses
        out["found_postcode"] = [
            book.postcode(a) if a >= 0 else None for a in cols["found_addr"].tolist()
        ]
    return out


def _plant(
    state: FileState,
    fmt: FileFormat,
    positions: np.ndarray,
    rows: list[list[Any]],
    days: np.ndarray,
    sinks: TruthSinks,
    first_row: int,
    malformed_col: list[str | None],
) -> None:
    """Apply the malformations planned for these positions to ``rows`` (in place)."""
    for j, pos in enumerate(positions.tolist()):
        reason = state.malformed.get(pos)
        if reason is None:
            continue
        row = rows[j]
        cols = list(fmt.columns)
        if reason == "field_count":
            row.append("")
            fld, col = "", ""
        elif reason == "missing_required":
            fld = "reference"
            row[cols.index(fld)] = None
            col = fmt.columns[fld]
        elif reason == "bad_date":
            fld = "occurred_from"
            y = int(ymd(days[j : j + 1])[0][0])
            row[cols.index(fld)] = format_ymd(y, 2, 30 + (pos % 2), fmt.date_format)
            col = fmt.columns[fld]
        else:
            fld = "offence_code"
            row[cols.index(fld)] = BAD_CODES[pos % 2]
            col = fmt.columns[fld]
        malformed_col[j] = reason
        sinks.quarantine.append((state.path, first_row + j, fld, col, reason))


def write_chunk(
    world: World,
    force: int,
    chunk: Chunk,
    state: FileState,
    sinks: TruthSinks,
    people: FileState | None = None,
) -> None:
    """Write a chunk's rows (and crime persons to ``people``) with their truth."""
    fmt = state.fmt
    n = len(chunk)
    force_code = world.forces[force].code
    day_col = chunk.cols[DATE_FIELDS[chunk.kind]]
    ref_days = chunk.cols.get("reported_date", day_col)
    refs = references(fmt, force, force_code, state.events + 1, ref_days)
    rng = world.rng("render", chunk.kind, force, state.events)
    values = _spell_events(world, force, fmt, chunk, refs, rng)
    text_ids: list[list[str]] = [[] for _ in range(n)]
    for slot, prefix in SLOTS.get(chunk.kind, ()):
        persons = chunk.slots[slot]
        rendered = render_slot(
            world,
            fmt,
            slot,
            persons,
            day_col,
            force,
            rng,
            chunk.forced.get(slot),
            chunk.quiet.get(slot),
        )
        for name, col in rendered.values.items():
            values[prefix + name] = col
        role = SLOT_ROLES.get(slot if chunk.kind == "intel" else chunk.kind, slot)
        _emit_mentions(
            world,
            sinks.mentions,
            state.path,
            state.sink.rows + 1,
            refs,
            slot,
            force_code,
            fmt.system,
            [role] * n,
            persons,
            rendered,
            chunk.scenario,
        )
        world.count_mentions(persons, force)
    if chunk.kind == "intel":
        values["text"], text_ids = _intel_texts(world, force, chunk, values, rng)
    first_row = state.sink.rows + 1
    order = list(fmt.columns)
    rows = [list(r) for r in zip(*[values.get(k, [None] * n) for k in order], strict=True)]
    positions = state.events + np.arange(n)
    malformed: list[str | None] = [None] * n
    _plant(state, fmt, positions, rows, day_col, sinks, first_row, malformed)
    state.sink.write(rows)
    _emit_events(world, force, chunk, state, first_row, refs, malformed, text_ids, sinks)
    if people is not None and chunk.people is not None:
        _write_people(world, force, chunk, refs, people, sinks, state.events)
    state.events += n


def _intel_texts(
    world: World, force: int, chunk: Chunk, values: dict[str, list[Any]], rng: np.random.Generator
) -> tuple[list[str], list[list[str]]]:
    pop, book = world.pop, world.addresses
    n = len(chunk)
    towns = load_places()["towns"]
    subj = chunk.slots["subject"]
    pool = world.pools[force].offender_m
    other = pool.sample(rng.random(n))
    u = rng.random(n).tolist()
    out: list[str] = []
    ids: list[list[str]] = []
    given = chunk.cols["text"].tolist()
    for i in range(n):
        if given[i]:
            out.append(given[i])
            ids.append([])
            continue
        s = int(subj[i])
        sname = f"{values['subject_forename'][i] or ''} {values['subject_surname'][i] or ''}"
        aname = None
        if values["associate_forename"][i] is not None:
            aname = f"{values['associate_forename'][i]} {values['associate_surname'][i]}"
        phone = (
            contact.spell_uk(int(pop.phone1[s]), "{0}{1} {2}")
            if pop.phone1[s] and pop.phone_cc[s] == 44
            else None
        )
        vrm = contact.vrm(int(pop.vrm[s])) if pop.vrm[s] >= 0 else None
        a = int(pop.addr[s])
        street = str(book.streets[book.street[a]])
        town = towns.get(book.areas[book.area[a]], book.areas[book.area[a]])
        oname = " ".join(
            [
                str(world.names.forenames[pop.fore[other[i]]]),
                str(world.names.surnames[pop.sur[other[i]]]),
            ]
        )
        text, used = texts.intel_text(
            u[i],
            sname.strip() or "Subject",
            aname,
            phone,
            vrm,
            town,
            street,
            oname if other[i] != s else None,
        )
        out.append(text)
        ids.append([f"P{int(other[i]) + 1:07d}"] if used else [])
    return out, ids


def _emit_events(
    world: World,
    force: int,
    chunk: Chunk,
    state: FileState,
    first_row: int,
    refs: list[str],
    malformed: list[str | None],
    text_ids: list[list[str]],
    sinks: TruthSinks,
) -> None:
    n = len(chunk)
    cols = chunk.cols
    f = world.forces[force]
    day = cols[DATE_FIELDS[chunk.kind]]
    none = np.full(n, NO_DATE, dtype=np.int64)
    ids: list[str] = f.officer_ids() if "oic" in cols else []
    oic = [ids[i] for i in cols["oic"].tolist()] if "oic" in cols else [None] * n
    sinks.events.write(
        {
            "source_file": [state.path] * n,
            "source_row": np.arange(first_row, first_row + n, dtype=np.int64),
            "reference": refs,
            "event_type": [str(EVENT_TYPES[chunk.kind])] * n,
            "force": [f.code] * n,
            "system": [state.fmt.system] * n,
            "occurred_from": days_array(day, NO_DATE),
            "occurred_to": days_array(
                cols.get("occurred_to", cols.get("found_date", none)), NO_DATE
            ),
            "reported_date": days_array(cols.get("reported_date", none), NO_DATE),
            "offence_code": cols["offence_code"].tolist() if "offence_code" in cols else [None] * n,
            "vawg": cols["vawg"].tolist() if "vawg" in cols else [None] * n,
            "lpc": [f.lpcs[i] for i in cols["lpc"].tolist()] if "lpc" in cols else [None] * n,
            "oic": oic,
            "risk_level": cols["risk_level"].tolist() if "risk_level" in cols else [None] * n,
            "scenario_id": [s or None for s in chunk.scenario.tolist()],
            "malformed": malformed,
            "text_person_ids": text_ids,
        }
    )


def _write_people(
    world: World,
    force: int,
    chunk: Chunk,
    refs: list[str],
    state: FileState,
    sinks: TruthSinks,
    first_event: int,
) -> None:
    p = chunk.people
    assert p is not None
    fmt = state.fmt
    n = len(p)
    rng = world.rng("render-people", force, first_event)
    days = chunk.cols["occurred_from"][p.event]
    rendered = render_slot(world, fmt, "person", p.person, days, force, rng, p.forced, p.quiet)
    values = {k: v for k, v in rendered.values.items()}
    values["reference"] = [refs[e] for e in p.event.tolist()]
    role_names = [ROLES[r] for r in p.role.tolist()]
    values["role"] = [fmt.roles[r] for r in role_names]
    first_row = state.sink.rows + 1
    rows = [list(r) for r in zip(*[values.get(k, [None] * n) for k in fmt.columns], strict=True)]
    # plant faults on the first person row of the crimes planned for this file
    first_of_event = np.ones(n, dtype=bool)
    first_of_event[1:] = p.event[1:] != p.event[:-1]
    positions = np.where(first_of_event, first_event + p.event, -1)
    malformed: list[str | None] = [None] * n
    _plant(state, fmt, positions, rows, days, sinks, first_row, malformed)
    state.sink.write(rows)
    _emit_mentions(
        world,
        sinks.mentions,
        state.path,
        first_row,
        values["reference"],
        "person",
        world.forces[force].code,
        fmt.system,
        role_names,
        p.person,
        rendered,
        p.scenario,
    )
    world.count_mentions(p.person, force)
