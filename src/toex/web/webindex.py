"""The web read model of one snapshot, built once and shared by every worker through files.

Opening a snapshot needs a read model (the staged rows pages read, sorted and indexed; see
:data:`toex.web.warehouse.READ_MODEL`), the row store of its hot tables
(:mod:`toex.web.rowstore`) and the name search index
(:class:`~toex.web.searchindex.SearchIndex`). All three are derived from the snapshot alone, so
they are built once per snapshot and kept beside it::

    DATA_DIR/warehouse/<run_id>.duckdb            the snapshot (the engine's)
    DATA_DIR/warehouse/<run_id>.webindex/         this cache (0o700, files 0o600)
        readmodel.duckdb                          read-model tables with their ART indexes
        s.npy f.npy p.npy k.npy s_start.npy f_order.npy f_start.npy   coded name rows
        persons.arrow                             person ids by code (Arrow IPC)
        names.json                                distinct names, nickname/phonetic keys
        <table>.arrow, <table>.<key>.{keys,rows}.npy   the row store (toex.web.rowstore)
        manifest.json                             written last: format, snapshot, files

The first process to open a snapshot takes an exclusive file lock
(``.<run_id>.webindex.lock``), builds into a temporary directory and renames it into place;
the others wait on the lock and then open what it built. Workers attach ``readmodel.duckdb``
read-only and memory-map the arrays (``np.load(mmap_mode="r")``, ``pyarrow.memory_map``), so
opening costs well under a second and the pages are shared through the OS page cache.

A cache is trusted only when its manifest names this format, this snapshot file (name,
size, modification time) and files of the recorded sizes and CRC-32 checksums
(``readmodel.duckdb`` is checked by size, its row counts and DuckDB's own block checksums);
anything else (a partial or corrupted directory, a cache of another file under the same
name) is removed and rebuilt. Caches whose snapshot file is gone are removed after a build.
The cache holds personal data: it lives under the data directory with owner-only
permissions, like the snapshot, and is derived data that may be deleted at any time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from toex.engine.quoting import path_literal
from toex.web import rowstore
from toex.web.searchindex import SearchIndex

log = logging.getLogger(__name__)

#: Bumped whenever the layout or the read model's definition changes (old caches rebuild).
FORMAT = 4
SUFFIX = ".webindex"
MANIFEST = "manifest.json"
READ_MODEL_FILE = "readmodel.duckdb"
#: Prefix of the private temporary directory used when the data directory is not writable.
PRIVATE_PREFIX = "toex-webindex-"
#: Temporary build directories older than this are a crashed build's and are removed.
STALE_TMP_SECONDS = 3600.0

#: How many caches this process has built (tests observe reuse through it).
builds = 0


class CacheInvalid(Exception):
    """The cache directory is missing, partial, corrupted or of another snapshot."""


@dataclass(frozen=True)
class WebIndex:
    """A validated cache directory and its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def read_model(self) -> Path:
        """The DuckDB file of read-model tables."""
        return self.path / READ_MODEL_FILE

    @property
    def tables(self) -> dict[str, int]:
        """Read-model table -> row count."""
        tables: dict[str, int] = self.manifest["tables"]
        return tables

    @property
    def indexes(self) -> list[tuple[str, str]]:
        """(table, column) of every ART index in the read model."""
        return [(t, c) for t, c in self.manifest["indexes"]]

    @property
    def rowstore(self) -> dict[str, list[str]]:
        """Table -> key columns of the row store (:mod:`toex.web.rowstore`)."""
        stored: dict[str, list[str]] = self.manifest["rowstore"]
        return stored

    @property
    def has_search(self) -> bool:
        """Whether the name search index was built (the snapshot has named mentions)."""
        return bool(self.manifest["search"])

    @property
    def private(self) -> bool:
        """Built in a private temporary directory (to be removed by whoever opened it)."""
        return self.path.parent.name.startswith(PRIVATE_PREFIX)

    @property
    def build_id(self) -> str:
        """A random id of the build that wrote this directory."""
        return str(self.manifest["build_id"])


def cache_dir(snapshot: Path) -> Path:
    """Where the cache of the snapshot file ``snapshot`` lives (``<run_id>.webindex``)."""
    return snapshot.with_name(snapshot.stem + SUFFIX)


def _lock_path(directory: Path) -> Path:
    return directory.with_name(f".{directory.name}.lock")


def fingerprint(snapshot: Path) -> dict[str, Any]:
    """What identifies one snapshot file: its name, size and modification time."""
    st = snapshot.stat()
    return {"file": snapshot.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return crc


def validate(directory: Path, snapshot: Path) -> WebIndex:
    """The cache in ``directory`` if it is complete and belongs to ``snapshot``; else
    :class:`CacheInvalid` saying why."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CacheInvalid(f"no readable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CacheInvalid("another cache format")
    if manifest.get("snapshot") != fingerprint(snapshot):
        raise CacheInvalid("built from another snapshot file")
    for name, meta in manifest.get("files", {}).items():
        path = directory / name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise CacheInvalid(f"{name} missing") from exc
        if size != meta["size"]:
            raise CacheInvalid(f"{name} has {size} bytes, not {meta['size']}")
        if meta.get("crc32") is not None and _crc(path) != meta["crc32"]:
            raise CacheInvalid(f"{name} fails its checksum")
    try:
        return WebIndex(directory, manifest)
    except (KeyError, TypeError) as exc:  # pragma: no cover - guarded by the format check
        raise CacheInvalid(str(exc)) from exc


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on building ``directory`` (across processes; blocks)."""
    fd = os.open(_lock_path(directory), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _discard(directory: Path) -> None:
    """Move ``directory`` aside and delete it (open files stay readable until closed)."""
    if not directory.exists():
        return
    aside = directory.with_name(f".{directory.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(directory, aside)
    shutil.rmtree(aside, ignore_errors=True)


def ensure(snapshot: Path, threads: int = 0, invalid: str | None = None) -> WebIndex:
    """The valid cache of ``snapshot``, building it under the lock if needed.

    ``invalid`` is the build id of a cache that validated but then failed to open: it is
    rebuilt unless another process has rebuilt it meanwhile. A data directory that cannot be
    written gets a cache in a private temporary directory instead (built by every process).
    """
    directory = cache_dir(snapshot)
    if invalid is None:
        with contextlib.suppress(CacheInvalid):
            return validate(directory, snapshot)
    try:
        with _locked(directory):
            try:
                found = validate(directory, snapshot)
                if invalid is None or found.build_id != invalid:
                    return found
                reason = "it failed to open"
            except CacheInvalid as exc:
                reason = str(exc)
            if directory.exists():
                log.warning("rebuilding the web index %s: %s", directory, reason)
            _discard(directory)
            built = build(snapshot, directory, threads)
            prune(directory.parent)
            return built
    except OSError as exc:  # a read-only data directory, a full disk: build privately
        private = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
        log.warning(
            "cannot write the web index %s (%s): building in %s", directory, str(exc), private
        )
        try:
            return build(snapshot, private / directory.name, threads)
        except BaseException:
            shutil.rmtree(private, ignore_errors=True)
            raise


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build(snapshot: Path, directory: Path, threads: int = 0) -> WebIndex:
    """Build the cache of ``snapshot`` into ``directory`` (which must not exist): everything
    in a temporary sibling, the manifest last, then one atomic rename."""
    from toex.web.warehouse import read_model_statements

    global builds
    started = time.perf_counter()
    tmp = directory.with_name(f".{directory.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    os.mkdir(tmp, 0o700)
    try:
        con = duckdb.connect(
            str(tmp / READ_MODEL_FILE), config={"threads": max(1, threads or os.cpu_count() or 1)}
        )
        try:
            path = str(snapshot).replace("'", "''")
            con.execute(f"ATTACH {path_literal(path)} AS snap (READ_ONLY)")
            tables: dict[str, int] = {}
            indexes: list[tuple[str, str]] = []
            for name, select, indexed in read_model_statements(con):
                con.execute(f"CREATE TABLE {name} AS {select}")
                for col in indexed:
                    con.execute(f"CREATE INDEX ix_{name}_{col} ON {name} ({col})")
                    indexes.append((name, col))
                (tables[name],) = con.execute(f"SELECT count(*) FROM {name}").fetchone() or (0,)
            have = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_catalog = current_database() AND table_name = 'web_mention'"
                ).fetchall()
            }
            search = {"forename", "surname", "force", "handling_code"} <= have
            stored = rowstore.build(con, tables, tmp)
            if search:
                cur = con.cursor()
                try:
                    SearchIndex.build(cur).save(tmp, _write_private)
                finally:
                    cur.close()
            con.execute("DETACH snap")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        files: dict[str, dict[str, Any]] = {}
        for p in sorted(tmp.iterdir()):
            os.chmod(p, 0o600)
            _fsync(p)
            files[p.name] = {
                "size": p.stat().st_size,
                "crc32": None if p.name == READ_MODEL_FILE else _crc(p),
            }
        manifest = {
            "format": FORMAT,
            "snapshot": fingerprint(snapshot),
            "build_id": secrets.token_hex(8),
            "built_at": time.time(),
            "build_seconds": round(time.perf_counter() - started, 2),
            "tables": tables,
            "indexes": indexes,
            "search": search,
            "rowstore": stored,
            "files": files,
        }
        _write_private(tmp / MANIFEST, json.dumps(manifest, indent=1).encode())
        _fsync(tmp)
        os.rename(tmp, directory)
        _fsync(directory.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    builds += 1
    log.info("built the web index %s in %.1f s", directory, manifest["build_seconds"])
    return WebIndex(directory, manifest)


def _snapshot_of(directory: Path) -> Path:
    """The snapshot file a cache directory was built from (by its manifest, else its name)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return directory.with_name(str(manifest["snapshot"]["file"]))
    except (OSError, ValueError, KeyError, TypeError):
        return directory.with_name(directory.name[: -len(SUFFIX)] + ".duckdb")


def prune(root: Path) -> list[Path]:
    """Remove caches (and their lock files) whose snapshot file is gone, and temporary
    directories of builds that died; returns what was removed."""
    removed: list[Path] = []
    now = time.time()
    for p in root.iterdir():
        name = p.name
        if p.is_dir() and name.endswith(SUFFIX) and not name.startswith("."):
            if not _snapshot_of(p).exists():
                shutil.rmtree(p, ignore_errors=True)
                _lock_path(p).unlink(missing_ok=True)
                removed.append(p)
        elif name.startswith(".") and (SUFFIX + ".tmp-" in name or SUFFIX + ".old-" in name):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
    return removed
