"""Text signals in advert wording: youth language, third-party control, obscured phones.

These are reported separately from the 13 STIM indicators (table ``stim_text_signal``) and
never feed an entity's or a case's risk level: the evidence for them comes from other
countries' data (NIJ/JRSA) or from studies that found them only weakly predictive
(Giommoni & Ikwu 2021), so an analyst reads them as context. The lexicon is configuration
(``text_signals`` in ``stim_indicators.yaml``); sources are in ``docs/methods.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toex.assess.stim.indicators import TextSignal
from toex.assess.stim.phones import is_obscured, phones_in_text

SIGNAL_COLUMNS = ["advert_id", "account_id", "signal", "evidence"]
# Cheap prefilter for numbers hidden in text: a digit touching a letter ("07seven", "one23").
_MAYBE_OBSCURED = re.compile(r"\d[A-Za-z]|[A-Za-z]\d")

OBSCURED_PHONE = "obscured_phone"


@dataclass(frozen=True)
class SignalHit:
    """One text signal found in one advert: which, and the words that showed it."""

    signal: str
    evidence: str


def compile_lexicon(signals: Mapping[str, TextSignal]) -> dict[str, re.Pattern[str]]:
    """One case-insensitive whole-word pattern per signal."""
    patterns: dict[str, re.Pattern[str]] = {}
    for name, signal in signals.items():
        terms = sorted(
            {t.strip().lower() for t in signal.terms if t.strip()}, key=len, reverse=True
        )
        alternation = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
        patterns[name] = re.compile(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])", re.IGNORECASE)
    return patterns


def signals_in_advert(
    text: str | None, phone_raw: str | None, lexicon: Mapping[str, re.Pattern[str]]
) -> list[SignalHit]:
    """The text signals in one advert's wording and contact phone (at most one per signal,
    with the distinct matched words joined as evidence)."""
    hits: list[SignalHit] = []
    body = text or ""
    for name, pattern in lexicon.items():
        found = sorted({m.group(0).lower() for m in pattern.finditer(body)})
        if found:
            hits.append(SignalHit(name, "; ".join(found)))
    obscured = [raw for raw in (phone_raw,) if raw and is_obscured(raw)]
    obscured += [raw for raw, _ in phones_in_text(body) if is_obscured(raw)]
    if obscured:
        hits.append(SignalHit(OBSCURED_PHONE, "; ".join(sorted(set(obscured)))))
    return hits


def signal_rows(
    adverts: Iterable[tuple[str, str, str | None, str | None]],
    lexicon: Mapping[str, re.Pattern[str]],
) -> list[tuple[str, str, str, str]]:
    """(advert_id, account_id, signal, evidence) for every hit in (advert_id, account_id,
    text, phone_raw) rows."""
    rows: list[tuple[str, str, str, str]] = []
    for advert_id, account_id, text, phone_raw in adverts:
        for hit in signals_in_advert(text, phone_raw, lexicon):
            rows.append((advert_id, account_id, hit.signal, hit.evidence))
    return rows


def _re2_filter(pattern: re.Pattern[str]) -> str:
    """An RE2 pattern (Arrow's regex engine has no look-behind) matching the texts in which
    ``pattern`` finds something: the same alternation between non-letters or the ends."""
    body = pattern.pattern.split("(?<![A-Za-z])", 1)[1].rsplit("(?![A-Za-z])", 1)[0]
    return rf"(?:^|[^A-Za-z]){body}(?:[^A-Za-z]|$)"


def _lexicon_hits(
    texts: list[str], lexicon: Mapping[str, re.Pattern[str]]
) -> dict[str, list[tuple[int, str]]]:
    """Per signal, (text index, evidence) for the texts containing its terms.

    Each signal's pattern first runs over the whole column at once in Arrow's C++ regex
    engine (RE2); Python collects the matched words only from the texts it flags."""
    column = pa.array(texts, pa.large_string())
    out: dict[str, list[tuple[int, str]]] = {}
    for name, pattern in lexicon.items():
        flags = pc.match_substring_regex(column, _re2_filter(pattern), ignore_case=True)
        rows: list[tuple[int, str]] = []
        for i in np.flatnonzero(flags.to_numpy(zero_copy_only=False)).tolist():
            words_found = sorted({m.group(0).lower() for m in pattern.finditer(texts[i])})
            if words_found:
                rows.append((i, "; ".join(words_found)))
        out[name] = rows
    return out


def signal_frame(
    adverts: pd.DataFrame,
    lexicon: Mapping[str, re.Pattern[str]],
    found_in_text: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The same rows as :func:`signal_rows` for a whole adverts frame, column-wise: each
    lexicon pattern runs once over the text column, and phones are checked once per
    distinct spelling (texts only when a cheap prefilter says they may hide a number).

    With ``found_in_text`` (the adverts' numbers in text, from
    :func:`toex.assess.stim.text_phones.text_phone_frame`), the obscured numbers in the
    texts are read from it instead of searched again: those spelling digits out or written
    with look-alike letters, keycap emoji or full-width digits (evidence as read)."""
    text = adverts["text"].fillna("").astype(str)
    frames: list[pd.DataFrame] = []
    texts = text.tolist()
    for name, rows in _lexicon_hits(texts, lexicon).items():
        if rows:
            idx = [i for i, _ in rows]
            frames.append(
                pd.DataFrame(
                    {
                        "advert_id": adverts["advert_id"].to_numpy()[idx],
                        "account_id": adverts["account_id"].to_numpy()[idx],
                        "signal": name,
                        "evidence": [ev for _, ev in rows],
                    }
                )
            )
    raw = adverts["phone_raw"].astype("object")
    distinct = {v: is_obscured(v) for v in raw.dropna().unique().tolist()}
    phone_hit = raw.map(lambda v: distinct.get(v, False) if v is not None else False)
    in_text = pd.Series(
        pc.match_substring_regex(pa.array(texts, pa.large_string()), _MAYBE_OBSCURED.pattern)
        .to_numpy(zero_copy_only=False)
        .astype(bool),
        index=adverts.index,
    )
    raw_values = raw.to_numpy()
    phone_flag = phone_hit.to_numpy(dtype=bool)
    advert_ids = adverts["advert_id"].to_numpy()
    account_ids = adverts["account_id"].to_numpy()
    evidence_rows = []
    obscured_in_text: dict[int, set[str]] = {}
    if found_in_text is not None:
        hidden = found_in_text[found_in_text["obscured"].astype(bool)]
        for row, written in zip(hidden["row"].tolist(), hidden["raw"].tolist(), strict=True):
            obscured_in_text.setdefault(int(row), set()).add(str(written))
        candidates = np.flatnonzero(phone_flag).tolist() + list(obscured_in_text)
    else:
        candidates = np.flatnonzero(phone_flag | in_text.to_numpy()).tolist()
    for i in sorted(set(candidates)):
        seen = {raw_values[i]} if phone_flag[i] else set()
        if found_in_text is not None:
            seen |= obscured_in_text.get(i, set())
        else:
            seen |= {r for r, _ in phones_in_text(texts[i]) if is_obscured(r)}
        if seen:
            evidence_rows.append(
                (advert_ids[i], account_ids[i], OBSCURED_PHONE, "; ".join(sorted(seen)))
            )
    if evidence_rows:
        frames.append(pd.DataFrame(evidence_rows, columns=SIGNAL_COLUMNS))
    if not frames:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["advert_id", "signal"], kind="stable").reset_index(drop=True)
