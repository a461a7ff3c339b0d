"""Writing a pack's files: complete under temporary names, then linked into place.

Both files of a pack are written and fsynced under hidden temporary names in the target
directory, then given their names with ``os.link``, which never replaces an existing file: a
reader sees a whole pack or none, and a recorded pack's files are never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from toex.errors import InputError, ToexError


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _no_clobber(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path``, refusing to replace an existing file."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise InputError(
            f"{path} already exists: another run is publishing this pack, or an earlier one "
            "was not recorded; move the file away and run again"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_pack_files(out_dir: Path, stem: str, html: str, pdf: bytes) -> tuple[Path, Path]:
    """Write ``<stem>.pdf`` and ``<stem>.html`` completely under temporary names, fsync them,
    then link both into place (never replacing a file): no reader sees half a pack."""
    out_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    pdf_path, html_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.html"
    tmps = []
    try:
        for path, data in ((pdf_path, pdf), (html_path, html.encode("utf-8"))):
            tmp = out_dir / f".{path.name}.{token}.partial"
            tmps.append(tmp)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        _no_clobber(tmps[0], pdf_path)
        try:
            _no_clobber(tmps[1], html_path)
        except ToexError:
            pdf_path.unlink(missing_ok=True)
            raise
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
    dir_fd = os.open(out_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return pdf_path, html_path
