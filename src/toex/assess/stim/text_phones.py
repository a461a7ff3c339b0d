"""Phone numbers written inside advert text, for linking and for counting an account's
numbers.

Advertisers write the number in the text as often as in the contact field, and hide it from
scrapers: spelled out ("zero seven seven..."), spaced ("0 7 7 0 0"), with letters for
digits ("o77oo 9ool23"), in keycap emoji or full-width digits. :func:`phones_in_texts`
reads a whole column: most texts write digits as digits and go through a column-wise Arrow
path; the few that do not are folded (:func:`fold_digits`) and searched one by one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toex.assess.stim.phones import (
    _TEXT_PHONE,
    is_obscured,
    normalise_many,
    parse_written,
    phones_in_text,
)

# Keycap emoji ("7️⃣" is 7, U+FE0F, U+20E3) and other digit look-alikes that NFKC does not
# fold (NFKC folds full-width, circled and mathematical digits to ASCII).
_KEYCAP_MARKS = dict.fromkeys(map(ord, "\ufe0f\u20e3"), None)
_EMOJI_DIGITS = {ord("\U0001f51f"): "10"}
# A run of digits and the look-alike letters O, l, I (no other letter touching it): "o77oo",
# "9ool23"; "zero0123" keeps its word.
_LOOK_ALIKE_RUN = re.compile(r"(?<![A-Za-z])[0-9oOlI|]*\d[0-9oOlI|]*(?![A-Za-z])")
_LOOK_ALIKE = str.maketrans("oOlI|", "00111")
#: RE2: texts writing digits other than as ASCII digits or digit words (the slow path):
#: non-ASCII digits and keycaps, or O / l / I touching a digit with no other letter
#: beside them ("o77oo", "9ool23"; not "zero7").
_HARD = (
    r"[\x{FF10}-\x{FF19}\x{2460}-\x{2473}\x{1D7CE}-\x{1D7FF}\x{20E3}\x{1F51F}]"
    r"|(?:^|[^A-Za-z])[oOlI|]+\d|\d[oOlI|]+(?:[^A-Za-z]|$)"
)


def fold_digits(text: str) -> str:
    """``text`` with digit look-alikes made ASCII digits: full-width, circled and bold
    digits (NFKC), keycap emoji, and the letters O, l and I in a run of digits that no
    other letter touches ("o77oo 9ool23" -> "07700 900123")."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).translate(_KEYCAP_MARKS)
    folded = folded.translate(_EMOJI_DIGITS)
    return _LOOK_ALIKE_RUN.sub(lambda m: m.group(0).translate(_LOOK_ALIKE), folded)


_UK_SHAPE = re.compile(r"^\+44[12378]\d{9}$")


def plausible_in_text(e164: str) -> bool:
    """Whether a number found in free text is taken as a phone: a UK number must be a
    mobile or a geographic/non-geographic number of ten national digits (so a run of
    prices such as "150 200 250" is not read as one); a number written with its country
    code (+ or 00) is taken when phonenumbers finds it possible."""
    return not e164.startswith("+44") or bool(_UK_SHAPE.match(e164))


def _hard_texts(texts: list[str]) -> list[tuple[int, str, str, bool]]:
    """The slow path: fold each text's digits and search it with the tokenising regex;
    a number is *obscured* when it spells digits out or was written with look-alikes
    (folding changed it, so it is not in the text as read)."""
    out: list[tuple[int, str, str, bool]] = []
    for i, text in enumerate(texts):
        for raw, e164 in phones_in_text(fold_digits(text)):
            if plausible_in_text(e164):
                out.append((i, raw, e164, is_obscured(raw) or raw not in text))
    return out


#: RE2 form of :data:`toex.assess.stim.phones._TEXT_PHONE` (the same pattern; Arrow).
_LETTER = re.compile(r"[A-Za-z]")
_TEXT_PHONE_RE2 = "(?i)" + _TEXT_PHONE.pattern  # the flag applies to the whole pattern


def _column_texts(texts: pa.Array) -> list[tuple[int, str, str, bool]]:
    """The column-wise path, for texts writing digits as ASCII digits or digit words: one
    Arrow (RE2) pass fences every run of digits and digit words with NUL characters, a
    split on NUL then puts the runs at the odd positions of each text's pieces, and each
    distinct run is parsed once (plain ones in Arrow, :func:`normalise_many`; the rest by
    :func:`toex.assess.stim.phones.parse_written`)."""
    clean = pc.replace_substring(texts, "\x00", " ")
    fenced = pc.replace_substring_regex(clean, f"({_TEXT_PHONE_RE2})", "\x00\\1\x00")
    pieces = pc.split_pattern(fenced, "\x00")
    flat = pc.list_flatten(pieces)
    if len(flat) == 0:
        return []
    parent = pc.list_parent_indices(pieces).to_numpy()
    offsets = pieces.offsets.to_numpy()[:-1].astype(np.int64)
    position = np.arange(len(flat), dtype=np.int64) - offsets[parent]
    odd = np.flatnonzero(position % 2 == 1)
    if odd.size == 0:
        return []
    runs = flat.take(pa.array(odd, pa.int64())).to_pylist()
    distinct = list(dict.fromkeys(runs))
    plain = normalise_many(distinct)  # plainly written numbers at once, in Arrow
    parsed: dict[str, tuple[str, str | None, bool]] = {}
    for run in distinct:
        known = plain.get(run)
        written, e164 = (run, known) if known else parse_written(run)
        ok = e164 is not None and plausible_in_text(e164)
        spelled = bool(_LETTER.search(written)) and is_obscured(written)
        parsed[run] = (written, e164 if ok else None, spelled)
    out: list[tuple[int, str, str, bool]] = []
    for row, run in zip(parent[odd].tolist(), runs, strict=True):
        written, e164, obscured = parsed[run]
        if e164 is not None:
            out.append((row, written, e164, obscured))
    return out


TEXT_PHONE_COLUMNS = ["row", "raw", "e164", "obscured"]


def text_phone_frame(texts: list[str | None]) -> pd.DataFrame:
    """Every phone number written in a column of texts: (row, as read, E.164, whether it
    was obscured), sorted by row; numbers that are not :func:`plausible_in_text` are left
    out.

    Texts an Arrow (RE2) test finds writing digits other than as ASCII digits (digit words
    next to digits, O/l/I among digits, full-width or emoji digits) take the slow path:
    folded (:func:`fold_digits`) and searched with the tokenising regex
    (:func:`toex.assess.stim.phones.phones_in_text`). The rest, nearly all adverts, take the
    column-wise path (:func:`_column_texts`)."""
    if not texts:
        return pd.DataFrame(columns=TEXT_PHONE_COLUMNS)
    column = pa.array(texts, pa.large_string(), from_pandas=True)
    hard = pc.match_substring_regex(column, _HARD).fill_null(False)
    hard_np = hard.to_numpy(zero_copy_only=False)
    present = pc.is_valid(column).to_numpy(zero_copy_only=False)
    plain_idx = np.flatnonzero(~hard_np & present)
    hard_idx = np.flatnonzero(hard_np)
    rows = _column_texts(column.take(pa.array(plain_idx, pa.int64()))) if plain_idx.size else []
    hard_rows = _hard_texts([str(texts[j]) for j in hard_idx.tolist()])
    frame = pd.DataFrame(rows + hard_rows, columns=TEXT_PHONE_COLUMNS)
    # Positions within each path back to positions in ``texts``.
    where = np.concatenate([plain_idx, hard_idx]).astype(np.int64)
    offset = np.repeat(np.array([0, len(plain_idx)], dtype=np.int64), [len(rows), len(hard_rows)])
    frame["row"] = where[frame["row"].to_numpy(dtype=np.int64) + offset]
    return frame.sort_values("row", kind="stable").reset_index(drop=True)


def phones_in_texts(texts: list[str | None]) -> list[tuple[int, str, str]]:
    """(text index, as read, E.164) of every phone number in a column of texts
    (:func:`text_phone_frame` without the obscured flag)."""
    frame = text_phone_frame(texts)
    return [
        (int(r), str(w), str(e))
        for r, w, e in zip(frame["row"], frame["raw"], frame["e164"], strict=True)
    ]
