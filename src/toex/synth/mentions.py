"""Write a person as one system records them: the values of a slot, with variations.

:func:`render_slot` takes the people named in one slot of a batch of rows of one file (for
example the subjects of 50,000 intelligence reports) and returns what the file holds for
each: forename, surname, DOB, gender, phone, address... after placeholders and variations
(decided by :mod:`toex.synth.variations`), the system's character set and casing, and the
spellings people use. It also returns, for truth, which variations and placeholders each
mention carries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from toex.synth import contact
from toex.synth.dates import NO_DATE, age_on, days_of, format_dates, to_days, ymd
from toex.synth.formats import FileFormat
from toex.synth.names import ascii_fold, cp1252_fold
from toex.synth.places import spell_address, spell_postcode
from toex.synth.rates import choose, weighted
from toex.synth.variations import (
    PLACEHOLDER_FIELDS,
    VARIATIONS,
    MentionFacts,
    decide,
    dob_digit_typo,
    typo,
)
from toex.synth.world import World

#: Recorded variations: the configured ones plus the character-set fold some systems do.
RECORDED = (*VARIATIONS, "ascii_folded")
#: Usual casing of (forename, surname) per system; "as" keeps the name's own case.
CASING = {
    "athena": ("as", "upper"),
    "niche": ("upper", "upper"),
    "connect": ("as", "as"),
    "wmp": ("as", "as"),
    "visor": ("upper", "upper"),
}
#: Character set a system stores names in.
CHARSET = {"athena": "ascii", "niche": "ascii", "connect": "cp1252"}
NOMINAL_PREFIX = {"athena": "NOM", "niche": "", "connect": "URN", "wmp": "PER"}


@dataclass
class RenderedSlot:
    """What a file holds for one slot of a batch of rows, and the truth about it."""

    values: dict[str, list[Any]]  # canonical field (no prefix) -> one value per row
    variations: np.ndarray  # bool (rows x len(RECORDED))
    placeholders: np.ndarray  # bool (rows x len(PLACEHOLDER_FIELDS))
    present: np.ndarray  # bool: the slot names somebody on this row


def mention_facts(world: World, persons: np.ndarray, fields: frozenset[str]) -> MentionFacts:
    """Eligibility facts of the people in ``persons`` (unidentified ones included)."""
    pop = world.pop
    identified = persons < world.n_identified
    p = np.where(identified, persons, 0)
    _, month, day = ymd(pop.dob[p])
    return MentionFacts(
        fields=fields,
        identified=identified,
        has_diminutive=world.names.has_diminutive[pop.fore[p]],
        has_middle=pop.middle[p] >= 0,
        has_sur2=pop.sur2[p] >= 0,
        has_prev_sur=pop.prev_sur[p] >= 0,
        has_alias=pop.alias_fore[p] >= 0,
        has_phone=pop.phone1[p] > 0,
        has_prev_addr=pop.prev_addr[p] >= 0,
        dob_day=day,
        dob_month=month,
    )


def nominal_numbers(persons: np.ndarray, force: int) -> np.ndarray:
    """A force system's own nominal number for each person (a bijection of the index)."""
    return (persons.astype(np.int64) * 2654435761 + 97_000_000 * (force + 1)) % 1_000_000_000


def _case(text: str, style: str) -> str:
    if style == "upper":
        return text.upper()
    if style == "lower":
        return text.lower()
    return text


def _names(
    world: World,
    fmt: FileFormat,
    p: np.ndarray,
    ph: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    rng: np.random.Generator,
    folded: np.ndarray,
    ident: np.ndarray,
) -> tuple[list[str], list[str]]:
    pop, book = world.pop, world.names
    n = len(p)
    fore = book.forenames[pop.fore[p]].tolist()
    sur = book.surnames[pop.sur[p]].tolist()
    sur2 = [str(book.surnames[i]) if i >= 0 else None for i in pop.sur2[p].tolist()]
    prev = book.surnames[np.maximum(pop.prev_sur[p], 0)].tolist()
    afore = book.forenames[np.maximum(pop.alias_fore[p], 0)].tolist()
    asur = book.surnames[np.maximum(pop.alias_sur[p], 0)].tolist()
    mid = book.forenames[np.maximum(pop.middle[p], 0)].tolist()
    fidx = pop.fore[p].tolist()
    u = rng.random((n, 6)).tolist()
    placeholder_names = world.rates.placeholders["values"]["name"]
    default_f, default_s = CASING.get(fmt.system, ("as", "as"))
    charset = CHARSET.get(fmt.system)
    flags = {k: a.tolist() for k, a in v.items()}
    phf, phs, idl = ph["forename"].tolist(), ph["surname"].tolist(), ident.tolist()
    out_f, out_s = [], []
    for i in range(n):
        ui = u[i]
        if not idl[i]:
            out_f.append("UNKNOWN")
            out_s.append("UNKNOWN")
            continue
        f, s = fore[i], sur[i]
        if flags["alias"][i]:
            f, s = afore[i], asur[i]
        else:
            if flags["changed_surname"][i]:
                s = prev[i]
            elif sur2[i] is not None:
                s = (
                    (s, sur2[i], f"{s} {sur2[i]}")[int(ui[0] * 3)]
                    if flags["hyphenated_surname"][i]
                    else f"{s}-{sur2[i]}"
                )
            if flags["nickname"][i]:
                dims = book.diminutives[fidx[i]]
                f = dims[int(ui[1] * len(dims))]
            if flags["middle_name"][i]:
                f = f"{f} {mid[i]}"
        if phf[i]:
            f = placeholder_names[int(ui[2] * len(placeholder_names))]
        if phs[i]:
            s = placeholder_names[int(ui[3] * len(placeholder_names))]
        if flags["swapped_names"][i]:
            f, s = s, f
        if flags["forename_typo"][i]:
            f = typo(f, ui[4], ui[5], ui[0])
        if flags["surname_typo"][i]:
            s = typo(s, ui[5], ui[4], ui[1])
        if charset is not None:
            fold = ascii_fold if charset == "ascii" else cp1252_fold
            nf, ns = fold(f), fold(s)
            if nf != f or ns != s:
                folded[i] = True
            f, s = nf, ns
        sf, ss = default_f, default_s
        if flags["case_noise"][i]:
            styles = [st for st in ("lower", "upper", "as") if st != sf or st != ss]
            sf = ss = styles[int(ui[4] * len(styles))]
        if not phf[i]:
            f = _case(f, sf)
        if not phs[i]:
            s = _case(s, ss)
        if flags["whitespace_noise"][i]:
            k = int(ui[5] * 3)
            if k == 0 and not phf[i]:
                f = " " + f
            elif k == 1 and not phs[i]:
                s = s + " "
            elif not phf[i]:
                f = f.replace(" ", "  ", 1) if " " in f else f + " "
            else:
                s = s + " "
        out_f.append(f)
        out_s.append(s)
    return out_f, out_s


def _dobs(
    world: World, p: np.ndarray, ph: np.ndarray, v: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    dob = world.pop.dob[p].astype(np.int64)
    y, m, d = ymd(dob)
    tr = v["dob_transposed"]
    dob[tr] = days_of(y[tr], d[tr], m[tr])
    yo = v["dob_year_off"]
    shift = np.where(rng.random(len(p)) < 0.5, -1, 1)
    dob[yo] = days_of(y[yo] + shift[yo], m[yo], d[yo])
    for i in np.flatnonzero(v["dob_digit_typo"]):
        ny, nm, nd = dob_digit_typo(int(y[i]), int(m[i]), int(d[i]), float(rng.random()))
        dob[i] = int(days_of(np.array([ny]), np.array([nm]), np.array([nd]))[0])
    values = [to_days(dt.date.fromisoformat(x)) for x in world.rates.placeholders["values"]["dob"]]
    pick = np.array(values)[(rng.random(len(p)) * len(values)).astype(int)]
    dob[ph] = pick[ph]
    dob[v["dob_missing"]] = NO_DATE
    return dob


def _phones(
    world: World, p: np.ndarray, ph: np.ndarray, v: dict[str, np.ndarray], rng: np.random.Generator
) -> list[str | None]:
    pop = world.pop
    fmt_cfg = world.rates.section("formatting")
    second = (pop.phone2[p] > 0) & (
        rng.random(len(p)) < world.rates.section("recording")["second_phone_used"]
    )
    nsn = np.where(second, pop.phone2[p], pop.phone1[p]).tolist()
    cc = np.where(second, 44, pop.phone_cc[p]).tolist()
    uk_keys, _ = weighted(fmt_cfg["phone_spellings"])
    fo_keys, _ = weighted(fmt_cfg["foreign_phone_spellings"])
    uk_pick = choose(rng, fmt_cfg["phone_spellings"], len(p)).tolist()
    fo_pick = choose(rng, fmt_cfg["foreign_phone_spellings"], len(p)).tolist()
    missing, placeholder = v["phone_missing"].tolist(), ph.tolist()
    out: list[str | None] = []
    for i in range(len(p)):
        if placeholder[i]:
            out.append(contact.PLACEHOLDER_PHONE)
        elif missing[i] or not nsn[i]:
            out.append(None)
        elif cc[i] == 44:
            out.append(contact.spell_uk(nsn[i], uk_keys[uk_pick[i]]))
        else:
            out.append(contact.spell_foreign(cc[i], nsn[i], fo_keys[fo_pick[i]]))
    return out


def _nationality(world: World, fmt: FileFormat, p: np.ndarray) -> list[str]:
    nats = world.rates.section("nationalities")
    names = list(nats)
    if fmt.system == "niche":
        spelled = [nats[k]["iso3"] for k in names]
    elif fmt.system == "connect":
        spelled = [nats[k]["country"] for k in names]
    elif fmt.system == "wmp":
        spelled = [k.lower() for k in names]
    else:
        spelled = names
    arr = np.array(spelled, dtype=object)
    return list(arr[world.pop.nat[p]])


def render_slot(
    world: World,
    fmt: FileFormat,
    slot: str,
    persons: np.ndarray,
    event_days: np.ndarray,
    force: int,
    rng: np.random.Generator,
    forced: dict[str, np.ndarray] | None = None,
    quiet: np.ndarray | None = None,
) -> RenderedSlot:
    """The values ``fmt`` holds for ``slot`` of each row, and the truth about each mention.

    ``persons`` has one entry per row (-1 where the slot is empty), ``event_days`` the date
    of each row's event (for ages). ``forced``/``quiet`` come from planted scenarios.
    """
    n = len(persons)
    present = persons >= 0
    fields = fmt.slot_fields(slot)
    p_all = np.where(present, persons, 0)
    facts = mention_facts(world, p_all, fields)
    facts.identified &= present
    ph, v = decide(
        facts,
        world.rates.variations,
        {k: float(world.rates.placeholders[k]) for k in PLACEHOLDER_FIELDS},
        rng,
        forced,
        quiet,
    )
    p = np.where(facts.identified, p_all, 0)
    folded = np.zeros(n, dtype=bool)
    values: dict[str, list[Any]] = {}
    if "forename" in fields or "surname" in fields:
        values["forename"], values["surname"] = _names(
            world, fmt, p, ph, v, rng, folded, facts.identified
        )
    rec = world.rates.section("recording")
    ident = facts.identified
    if "dob" in fields:
        dob = np.where(ident, _dobs(world, p, ph["dob"], v, rng), NO_DATE)
        values["dob"] = format_dates(dob, fmt.date_format)
    if "gender" in fields:
        code = np.where(world.pop.male[p], "M", "F").astype(object)
        code[v["gender_wrong"]] = np.where(world.pop.male[p], "F", "M")[v["gender_wrong"]]
        code[v["gender_unknown"] | ~ident] = "U"
        values["gender"] = [fmt.gender[c] for c in code]
    if "nationality" in fields:
        nat = _nationality(world, fmt, p)
        keep = ident & (rng.random(n) < rec["nationality"])
        values["nationality"] = [x if k else None for x, k in zip(nat, keep.tolist(), strict=True)]
    if "phone" in fields:
        phones = _phones(world, p, ph["phone"], v, rng)
        values["phone"] = [x if k else None for x, k in zip(phones, ident.tolist(), strict=True)]
    if fields & {"address", "postcode"}:
        _addresses(world, fmt, p, v, rng, ident, values, fields)
    if "pnc_id" in fields or "cro_number" in fields:
        _records(world, fmt, p, rng, ident, values, fields)
    if "email" in fields:
        values["email"] = _emails(world, p, ident & (rng.random(n) < rec["email_on_crime_person"]))
    if "age_at_event" in fields:
        age = age_on(world.pop.dob[p], event_days)
        keep = ident & (rng.random(n) < rec["age_at_event"]) & (age >= 0)
        values["age_at_event"] = [
            int(a) if k else None for a, k in zip(age.tolist(), keep.tolist(), strict=True)
        ]
    if "person_ref" in fields:
        values["person_ref"] = _nominals(world, fmt, persons, v["duplicate_nominal"], force)
    for name, col in list(values.items()):
        values[name] = [x if ok else None for x, ok in zip(col, present.tolist(), strict=True)]
    matrix = (
        np.column_stack([v[k] for k in VARIATIONS] + [folded])
        if n
        else np.zeros((0, len(RECORDED)), dtype=bool)
    )
    ph_matrix = (
        np.column_stack([ph[k] for k in PLACEHOLDER_FIELDS])
        if n
        else np.zeros((0, len(PLACEHOLDER_FIELDS)), dtype=bool)
    )
    unknown = present & ~facts.identified
    ph_matrix[unknown, 0] = True
    ph_matrix[unknown, 1] = True
    return RenderedSlot(values, matrix & present[:, None], ph_matrix & present[:, None], present)


def _addresses(
    world: World,
    fmt: FileFormat,
    p: np.ndarray,
    v: dict[str, np.ndarray],
    rng: np.random.Generator,
    ident: np.ndarray,
    values: dict[str, list[Any]],
    fields: frozenset[str],
) -> None:
    pop, book = world.pop, world.addresses
    fcfg = world.rates.section("formatting")
    a = np.where(v["old_address"], pop.prev_addr[p], pop.addr[p]).tolist()
    u = rng.random(len(p))
    style = np.where(
        u < fcfg["postcode_no_space"],
        1,
        np.where(u < fcfg["postcode_no_space"] + fcfg["postcode_lower"], 2, 0),
    )
    ok, miss, st = ident.tolist(), v["postcode_missing"].tolist(), style.tolist()
    if "address" in fields:
        values["address"] = [
            spell_address(book.line(x), fmt.system) if k else None
            for x, k in zip(a, ok, strict=True)
        ]
    if "postcode" in fields:
        values["postcode"] = [
            spell_postcode(book.postcode(x), s) if k and not m else None
            for x, k, m, s in zip(a, ok, miss, st, strict=True)
        ]


def _records(
    world: World,
    fmt: FileFormat,
    p: np.ndarray,
    rng: np.random.Generator,
    ident: np.ndarray,
    values: dict[str, list[Any]],
    fields: frozenset[str],
) -> None:
    pop = world.pop
    rec = world.rates.section("recording")
    rate = {"custody": rec["pnc_on_custody"], "visor": rec["pnc_on_visor"]}.get(
        fmt.kind, rec["pnc_on_crime_person"]
    )
    has = ident & (pop.pnc_year[p] >= 0) & (rng.random(len(p)) < rate)
    if "pnc_id" in fields:
        values["pnc_id"] = [
            contact.pnc_id(y, s) if h else None
            for y, s, h in zip(
                pop.pnc_year[p].tolist(), pop.pnc_serial[p].tolist(), has.tolist(), strict=True
            )
        ]
    if "cro_number" in fields:
        cro = has & (pop.cro_serial[p] >= 0) & (rng.random(len(p)) < rec["cro_on_custody"])
        values["cro_number"] = [
            contact.cro_number(y, s) if h else None
            for y, s, h in zip(
                pop.pnc_year[p].tolist(), pop.cro_serial[p].tolist(), cro.tolist(), strict=True
            )
        ]


def _emails(world: World, p: np.ndarray, keep: np.ndarray) -> list[str | None]:
    pop, book = world.pop, world.names
    keep = keep & (pop.email_pat[p] >= 0)
    fore = book.forenames[pop.fore[p]].tolist()
    sur = book.surnames[pop.sur[p]].tolist()
    return [
        contact.email_address(f, s, pt, nm, dm) if k else None
        for f, s, pt, nm, dm, k in zip(
            fore,
            sur,
            pop.email_pat[p].tolist(),
            pop.email_num[p].tolist(),
            pop.email_dom[p].tolist(),
            keep.tolist(),
            strict=True,
        )
    ]


def _nominals(
    world: World, fmt: FileFormat, persons: np.ndarray, duplicate: np.ndarray, force: int
) -> list[str]:
    keys = persons.astype(np.int64).copy()
    k = int(duplicate.sum())
    if k:
        first = world.duplicate_nominals.get(force, 0)
        world.duplicate_nominals[force] = first + k
        keys[duplicate] = 500_000_000 + first + np.arange(k)
    numbers = nominal_numbers(keys, force).tolist()
    prefix = NOMINAL_PREFIX.get(fmt.system, "")
    return [f"{prefix}{x:09d}" for x in numbers]
