"""Mapping helpers a partner export needs beyond one column per field (pure, additive).

A second partner website's export (issue 21) showed four gaps in what a mapping can say:

- **dotted paths** into nested JSON (``billing.phone``): :func:`get_path`, :func:`flatten`;
- **value maps** on attributes: a drop-down column ("Suspected under 18", "Possible
  trafficking") becomes one boolean per code: :func:`choice_flags`; or one value becomes
  another: :func:`map_values`;
- **one record per distinct key** for an entity embedded in another file's rows (an
  account's fields on each of its listings), with a report of the copies that disagree:
  :func:`dedup_by_key`;
- **derived values**: :data:`DERIVATIONS` (pence to pounds, the title written inside a
  cardholder name, the sex a title states).

These are functions over parsed rows and frames; wiring them into the YAML mapping files
of :mod:`toex.ingest.mapping` is left to the ingest package's owners (the functions take
exactly what a mapping entry would name: a path, a table of values, a key).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

CONFLICT_COLUMNS = ["key", "column", "values", "rows"]


def get_path(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("billing.phone", "items.0.sku"), None when absent."""
    value: Any = record
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def flatten(records: Iterable[Mapping[str, Any]], paths: Mapping[str, str]) -> pd.DataFrame:
    """One row per record, one column per ``{column: dotted path}``."""
    rows = [{col: get_path(rec, path) for col, path in paths.items()} for rec in records]
    return pd.DataFrame(rows, columns=list(paths))


def _key(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def map_values(
    series: pd.Series, mapping: Mapping[str, Any], default: Any = None, strict: bool = False
) -> pd.Series:
    """Each value replaced by ``mapping``'s (keys compared case- and space-insensitively);
    unmapped values become ``default``, or raise ValueError naming them when ``strict``."""
    table = {_key(k): v for k, v in mapping.items()}
    present = series.notna() & (series.astype(str).str.strip() != "")
    keys = series[present].map(_key)
    unknown = sorted(set(keys) - set(table))
    if strict and unknown:
        raise ValueError(f"values with no mapping: {', '.join(unknown[:10])}")
    out = pd.Series(default, index=series.index, dtype="object")
    out[present] = keys.map(lambda k: table.get(k, default))
    return out


def choice_flags(
    series: pd.Series, choices: Mapping[str, str], sep: str | None = None
) -> pd.DataFrame:
    """One boolean column per code of ``choices`` ({code: the drop-down's wording}): true
    where the cell holds that wording (or, with ``sep``, one of its parts does)."""
    wording = {_key(v): code for code, v in choices.items()}
    out = pd.DataFrame(False, index=series.index, columns=list(choices))
    for idx, cell in series.items():
        if cell is None or cell != cell:
            continue
        parts = str(cell).split(sep) if sep else [str(cell)]
        for part in parts:
            code = wording.get(_key(part))
            if code is not None:
                out.at[idx, code] = True
    return out


def dedup_by_key(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per distinct ``key``, conflicts): the row kept holds, per column, the most
    frequent non-empty value of the key's copies (ties: the first seen); every column
    whose copies disagree is reported as (key, column, the distinct values, copies)."""
    if frame.empty:
        return frame.copy(), pd.DataFrame(columns=CONFLICT_COLUMNS)
    kept: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for value, group in frame.groupby(key, sort=False, dropna=True):
        row: dict[str, Any] = {key: value}
        for col in frame.columns:
            if col == key:
                continue
            cells = [c for c in group[col].tolist() if c is not None and c == c and c != ""]
            if not cells:
                row[col] = None
                continue
            counts: dict[Any, int] = {}
            for c in cells:
                counts[c] = counts.get(c, 0) + 1
            row[col] = max(counts, key=lambda c: counts[c])  # first seen wins a tie
            if len(counts) > 1:
                conflicts.append(
                    {
                        "key": value,
                        "column": col,
                        "values": " | ".join(map(str, counts)),
                        "rows": len(group),
                    }
                )
        kept.append(row)
    return (
        pd.DataFrame(kept, columns=list(frame.columns)),
        pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS),
    )


_TITLES = {"mr": "M", "master": "M", "sir": "M", "mrs": "F", "ms": "F", "miss": "F"}
_TITLES_ALL = {*_TITLES, "dr", "mx", "prof", "rev"}


def title_in_name(name: Any) -> str | None:
    """The title written at the start or end of a name ("MR F POPESCU" -> "Mr")."""
    tokens = str(name or "").split()
    for tok in (tokens[:1] + tokens[-1:]) if len(tokens) > 1 else []:
        key = re.sub(r"[^a-z]", "", tok.lower())
        if key in _TITLES_ALL:
            return key.capitalize()
    return None


def sex_of_title(title: Any) -> str | None:
    """ "M" or "F" for a gendered title (Mr, Mrs, Ms, Miss...), else None."""
    return _TITLES.get(re.sub(r"[^a-z]", "", str(title or "").lower()))


def pence_to_pounds(value: Any) -> float | None:
    """An amount in pence as pounds (2500 -> 25.0); None for a blank or non-number."""
    try:
        return None if value is None or value == "" else round(int(float(value)) / 100, 2)
    except (TypeError, ValueError):
        return None


#: Derived values a mapping may name: one function of one source value.
DERIVATIONS: dict[str, Callable[[Any], Any]] = {
    "pence_to_pounds": pence_to_pounds,
    "title_in_name": title_in_name,
    "sex_of_title": sex_of_title,
}


def derive(series: pd.Series, name: str) -> pd.Series:
    """``series`` through the derivation called ``name`` (ValueError for an unknown one)."""
    if name not in DERIVATIONS:
        raise ValueError(f"unknown derivation {name!r} (known: {', '.join(sorted(DERIVATIONS))})")
    fn = DERIVATIONS[name]
    return pd.Series([fn(v) for v in series.tolist()], index=series.index, dtype="object")
