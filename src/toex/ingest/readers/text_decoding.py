"""Text files: binary detection, encoding detection and streaming transcoding to UTF-8.

Every text reader reads UTF-8: a file in another encoding, or a UTF-8 file with bytes that
do not decode or NUL characters, is first transcoded to a UTF-8 temporary file where a BOM is
dropped, undecodable bytes become U+FFFD (the loader quarantines such rows as ``unreadable``)
and NUL characters become U+FFFD too. A UTF-8 file that decodes cleanly is read in place
(:func:`utf8_as_is`), which saves rewriting it. Encodings: UTF-8, UTF-8 with BOM, cp1252,
UTF-16 and UTF-32 (by their byte order mark, or without one by their NUL bytes; a wide file
is read as such even where the mapping names another encoding), or any Python codec named
in the mapping.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from toex.errors import ReadError

SAMPLE_BYTES = 65_536
CHUNK_BYTES = 4 * 1024 * 1024
REPLACEMENT = "\ufffd"
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


_REPLACED = [0]
_HANDLER = "toex-count-replace"


def _count_and_replace(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    _REPLACED[0] += 1
    return REPLACEMENT, err.end


codecs.register_error(_HANDLER, _count_and_replace)


@dataclass(frozen=True)
class Transcoded:
    """A UTF-8 copy of a text file and what happened on the way."""

    path: Path
    encoding: str
    replacements: int


def wide_encoding(head: bytes) -> str | None:
    """``utf-32`` / ``utf-16`` (byte order mark) or ``utf-16-le`` / ``utf-16-be`` (no mark,
    but a NUL in every other byte, as text mostly in ASCII has) for the file starting with
    ``head``; ``None`` for a byte-oriented file."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = head[: len(head) // 2 * 2]
    half = len(pairs) // 2
    if half < 2:
        return None
    even, odd = pairs[0::2].count(0), pairs[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def sample(path: Path, display: str) -> bytes:
    """The first bytes of ``path``; :class:`ReadError` if it is empty or binary.

    UTF-16 and UTF-32 text (NUL bytes in every character) is text, not binary.
    """
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    wide = wide_encoding(head)
    if wide is not None:
        text = head[: len(head) // 4 * 4].decode(wide, errors="replace")
        if not text.strip(" \t\r\n\ufeff"):
            raise ReadError("the file is empty", file=display, code="empty_file")
        return head
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ReadError("the file is empty", file=display, code="empty_file")
    control = sum(head.count(bytes([b])) for b in _CONTROL)
    if control > max(8, len(head) // 100):
        first = next(i for i, b in enumerate(head) if b in _CONTROL)
        raise ReadError(
            f"not a text file (binary data at byte {first})", file=display, code="binary"
        )
    return head


def detect_encoding(head: bytes) -> str:
    """UTF-16/32 (:func:`wide_encoding`), ``utf-8-sig`` (BOM), ``utf-8`` (mostly valid
    UTF-8) or ``cp1252``."""
    wide = wide_encoding(head)
    if wide is not None:
        return wide
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    text = head.decode("utf-8", errors="replace")
    bad = text.count(REPLACEMENT)
    if bad <= 1:  # a multi-byte character cut by the sample's end
        return "utf-8"
    multibyte = sum(1 for ch in text if ord(ch) > 127 and ch != REPLACEMENT)
    return "utf-8" if multibyte > bad else "cp1252"


def choose_encoding(declared: str | None, head: bytes, display: str) -> tuple[str, list[str]]:
    """The encoding to read with, and a note when the file's own mark overrides the mapping.

    A UTF-16 or UTF-32 file is read as such even where the mapping names a byte encoding
    (``utf-8-sig``, ``cp1252``): read that way every other byte would be a NUL.
    """
    if not declared:
        return detect_encoding(head), []
    encoding = check_encoding(declared, display)
    wide = wide_encoding(head)
    if wide is not None and not encoding.startswith(("utf-16", "utf-32")):
        return wide, [
            f"the file is {wide.upper()} text though the mapping says {declared}: "
            f"read as {wide.upper()}"
        ]
    return encoding, []


def check_encoding(encoding: str, display: str) -> str:
    """The codec's canonical name; :class:`ReadError` for an unknown encoding."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(
            f"unknown encoding {encoding!r}", file=display, code="unknown_encoding"
        ) from None


UTF8_NAMES = ("utf-8", "utf-8-sig")


def utf8_as_is(path: Path, encoding: str) -> bool:
    """Whether ``path`` (in ``encoding``) can be read as it is: valid UTF-8 without NULs."""
    if encoding not in UTF8_NAMES:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with path.open("rb") as src:
            while chunk := src.read(CHUNK_BYTES):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def transcode(path: Path, encoding: str, out: Path) -> Transcoded:
    """Write ``path`` decoded from ``encoding`` to ``out`` as UTF-8, chunk by chunk."""
    counter = _REPLACED
    counter[0] = 0
    decoder = codecs.getincrementaldecoder(encoding)(errors=_HANDLER)
    first = True
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK_BYTES)
            text = decoder.decode(chunk, final=not chunk)
            if first and text:
                text = text.removeprefix("\ufeff")
                first = False
            if "\x00" in text:
                counter[0] += text.count("\x00")
                text = text.replace("\x00", REPLACEMENT)
            dst.write(text)
            if not chunk:
                break
    return Transcoded(out, encoding, counter[0])
