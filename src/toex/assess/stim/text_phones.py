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

from toex.assess.stim.phones import is_obscured, normalise_many, phones_in_text

# Keycap emoji ("7️⃣" is 7, U+FE0F, U+20E3) and other digit look-alikes that NFKC does not
# fold (NFKC folds full-width, circled and mathematical digits to ASCII).
_KEYCAP_MARKS = dict.fromkeys(map(ord, "\ufe0f\u20e3"), None)
_EMOJI_DIGITS = {ord("\U0001f51f"): "10"}
# A run of digits and the look-alike letters O, l, I (no other letter touching it): "o77oo",
# "9ool23"; "zero0123" keeps its word.
_LOOK_ALIKE_RUN = re.compile(r"(?<![A-Za-z])[0-9oOlI|]*\d[0-9oOlI|]*(?![A-Za-z])")
_LOOK_ALIKE = str.maketrans("oOlI|", "00111")
_DIGIT_WORDS_RE2 = "zero|nought|one|two|three|four|five|six|seven|eight|nine|oh|double|triple"
#: RE2: texts writing digits other than as ASCII digits (the slow path): non-ASCII digits
#: and keycaps, O / l / I touching a digit, a digit word next to a digit or another digit
#: word. ("for", "too", "won", "ate", "tree" only count inside such a text.)
_HARD = (
    r"[\x{FF10}-\x{FF19}\x{2460}-\x{2473}\x{1D7CE}-\x{1D7FF}\x{20E3}\x{1F51F}]"
    r"|\d[oOlI|]|[oOlI|]\d"
    rf"|(?i)(?:\b(?:{_DIGIT_WORDS_RE2})|\d)[\s\-.]*(?:{_DIGIT_WORDS_RE2})\b"
    rf"|(?i)\b(?:{_DIGIT_WORDS_RE2})[\s\-.]*\d"
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


def _split_long(segment: str) -> list[str]:
    """A run of digits and separators holding more than one number ("07700 900123 07911
    123456"), cut before each group that starts a number (0 or +)."""
    pieces: list[str] = []
    current = ""
    for group in segment.split():
        digits = sum(c.isdigit() for c in current)
        if current and digits >= 10 and group[:1] in ("0", "+", "("):
            pieces.append(current)
            current = group
        else:
            current = f"{current} {group}".strip()
    return [*pieces, current] if current else pieces


def _plain_texts(texts: pa.Array) -> list[tuple[int, str, str]]:
    """The fast path, for texts whose numbers are written in digits and separators only:
    Arrow cuts each text into runs of digits and separators, keeps the runs of 10 or more
    digits, and each distinct run is parsed once (:func:`normalise_many`)."""
    marked = pc.replace_substring_regex(texts, r"[^0-9+\s\-.()]+", "|")
    lists = pc.split_pattern(marked, "|")
    flat = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy()
    # A run shorter than ten characters cannot hold ten digits: most are dropped here.
    long = np.flatnonzero(pc.utf8_length(flat).to_numpy(zero_copy_only=False) >= 10)
    flat = flat.take(pa.array(long, pa.int64()))
    parent = parent[long]
    n_digits = pc.utf8_length(pc.replace_substring_regex(flat, r"\D", "")).to_numpy(
        zero_copy_only=False
    )
    keep = np.flatnonzero(n_digits >= 10)
    if keep.size == 0:
        return []
    segments = [s.strip(" -.(") for s in flat.take(pa.array(keep, pa.int64())).to_pylist()]
    pieces: dict[str, list[str]] = {}
    for seg, nd in zip(segments, n_digits[keep].tolist(), strict=True):
        if seg not in pieces:
            pieces[seg] = [seg] if nd <= 15 else _split_long(seg)
    parsed = normalise_many([p for ps in pieces.values() for p in ps])
    out: list[tuple[int, str, str]] = []
    for seg, owner in zip(segments, parent[keep].tolist(), strict=True):
        for piece in pieces[seg]:
            e164 = parsed.get(piece)
            if e164 is not None and plausible_in_text(e164):
                out.append((int(owner), piece, e164))
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
    column-wise fast path (:func:`_plain_texts`); their numbers are never obscured."""
    if not texts:
        return pd.DataFrame(columns=TEXT_PHONE_COLUMNS)
    column = pa.array(texts, pa.large_string(), from_pandas=True)
    hard = pc.match_substring_regex(column, _HARD).fill_null(False)
    digits = pc.match_substring_regex(column, r"(?:\d\D{0,4}){7}").fill_null(False)
    hard_np = hard.to_numpy(zero_copy_only=False)
    plain_idx = np.flatnonzero(~hard_np & digits.to_numpy(zero_copy_only=False))
    hard_idx = np.flatnonzero(hard_np)
    rows: list[tuple[int, str, str, bool]] = (
        [
            (int(plain_idx[i]), raw, e164, False)
            for i, raw, e164 in _plain_texts(column.take(pa.array(plain_idx, pa.int64())))
        ]
        if plain_idx.size
        else []
    )
    rows += [
        (int(hard_idx[i]), raw, e164, obscured)
        for i, raw, e164, obscured in _hard_texts([str(texts[j]) for j in hard_idx.tolist()])
    ]
    frame = pd.DataFrame(rows, columns=TEXT_PHONE_COLUMNS)
    return frame.sort_values("row", kind="stable").reset_index(drop=True)


def phones_in_texts(texts: list[str | None]) -> list[tuple[int, str, str]]:
    """(text index, as read, E.164) of every phone number in a column of texts
    (:func:`text_phone_frame` without the obscured flag)."""
    frame = text_phone_frame(texts)
    return [
        (int(r), str(w), str(e))
        for r, w, e in zip(frame["row"], frame["raw"], frame["e164"], strict=True)
    ]
