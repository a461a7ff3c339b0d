"""The data directory on disk: owner-only permissions, scratch space, and what killed runs left.

Every file toex writes under the data directory holds personal data or protects it (the
warehouse snapshots and their web caches, the operational store, key files, exports), so the
process umask is ``077`` (files 0600, directories 0700) whenever toex writes there, and the
directories toex owns are tightened if an older version left them looser. A run's scratch
files live in ``<data_dir>/tmp/run-<pid>-<hex>/``; what a killed run left (partial snapshots,
their WAL and spill files, scratch directories) is removed by the next run under the lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
#: Directories under the data directory that toex owns and keeps owner-only.
OWNED_DIRS = ("warehouse", "models", "tmp", "keys", "exports")
#: Files at the top of the data directory that toex owns.
OWNED_FILES = (
    "ops.sqlite",
    "ops.sqlite-wal",
    "ops.sqlite-shm",
    "ops.sqlite.audit-lock",
    "run.lock",
)
SCRATCH = "tmp"
RUN_SCRATCH_PREFIX = "run-"

_warned: set[str] = set()
_active_scratch: set[Path] = set()


def set_private_umask() -> int:
    """Make every file this process creates owner-only (umask ``077``); returns the old one."""
    old = os.umask(PRIVATE_UMASK)
    os.umask(old | PRIVATE_UMASK)
    return old


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Umask ``077`` while the block runs (restored afterwards)."""
    old = set_private_umask()
    try:
        yield
    finally:
        os.umask(old)


def ensure_private_dir(path: Path, *, owned: bool = True) -> Path:
    """Create ``path`` (and parents) owner-only. An existing directory toex ``owned`` is
    tightened to 0700; any other (the data directory itself, which an administrator may have
    made) is left as it is, with a warning once when group or others may read it."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)
        return path
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        if owned:
            os.chmod(path, PRIVATE_DIR)
        elif str(path) not in _warned:
            _warned.add(str(path))
            log.warning(
                "data directory %s has mode %s: group or others may list it; "
                "chmod 700 it (docs/operations.md)",
                path,
                oct(mode),
            )
    return path


def tighten(data_dir: Path) -> list[Path]:
    """Set every file toex owns under ``data_dir`` to 0600 and directory to 0700 where an
    older version (or another umask) left them looser; returns what was changed."""
    changed: list[Path] = []

    def fix(p: Path, want: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) & 0o077 == 0:
                return
            os.chmod(p, want)
            changed.append(p)

    for name in OWNED_FILES:
        fix(data_dir / name, PRIVATE_FILE)
    for name in OWNED_DIRS:
        root = data_dir / name
        if not root.is_dir():
            continue
        fix(root, PRIVATE_DIR)
        for dirpath, dirnames, filenames in os.walk(root):
            for d in dirnames:
                fix(Path(dirpath) / d, PRIVATE_DIR)
            for f in filenames:
                fix(Path(dirpath) / f, PRIVATE_FILE)
    return changed


@contextlib.contextmanager
def scratch_dir(data_dir: Path) -> Iterator[Path]:
    """A scratch directory for one run, ``<data_dir>/tmp/run-<pid>-<hex>`` (0700), removed
    when the block ends (a killed run's is removed by :func:`clean_killed_runs`)."""
    root = ensure_private_dir(data_dir / SCRATCH)
    path = root / f"{RUN_SCRATCH_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    path.mkdir(mode=PRIVATE_DIR)
    _active_scratch.add(path)
    try:
        yield path
    finally:
        _active_scratch.discard(path)
        shutil.rmtree(path, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_killed_runs(data_dir: Path) -> list[Path]:
    """Remove what runs that died left behind; call it holding the data-directory lock.

    Every partial snapshot (``*.duckdb.partial`` with its ``.wal`` and ``.tmp`` spill
    directory), pointer temporary (``CURRENT.<pid>.tmp``) and run scratch directory
    (``tmp/run-<pid>-*``) was written by a holder of the lock; whoever holds it now is the
    only writer, so anything not its own belongs to a process that is gone.
    """
    removed: list[Path] = []
    warehouse = data_dir / "warehouse"
    if warehouse.is_dir():
        for p in warehouse.iterdir():
            name = p.name
            partial = ".duckdb.partial" in name
            pointer_tmp = name.startswith("CURRENT.") and name.endswith(".tmp")
            if partial or (pointer_tmp and name != f"CURRENT.{os.getpid()}.tmp"):
                _remove(p)
                removed.append(p)
    scratch = data_dir / SCRATCH
    if scratch.is_dir():
        for p in scratch.iterdir():
            if p.name.startswith(RUN_SCRATCH_PREFIX) and p not in _active_scratch:
                _remove(p)
                removed.append(p)
    for p in removed:
        log.warning("removed %s, left by a run that did not finish", p)
    return removed
