"""``toex backup`` and ``toex restore``: the operational store and the current snapshot in one
tar archive with a manifest of SHA-256 checksums.

The archive holds ``manifest.json`` (first), ``ops.sqlite`` (the operational store, erasure
tombstones included, as a SQLite file whatever the store's database) and
``warehouse/<run_id>.duckdb``. Key files (``<data_dir>/keys/``) are never in it: they are
backed up separately (docs/operations.md). A restore writes only into an empty data directory,
checks every checksum before anything is moved into place, and records itself in the
restored audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory

from toex.config import Settings
from toex.datadir.erase import ops_url, requester
from toex.datadir.ops_copy import dump_ops, load_ops, sqlite_path
from toex.engine import SnapshotStore
from toex.engine.datadir import PRIVATE_FILE, ensure_private_dir, private_umask
from toex.engine.lock import data_dir_lock
from toex.errors import InputError, SnapshotError
from toex.ops import open_store
from toex.ops.audit import record
from toex.ops.db import alembic_config
from toex.ops.keys import held_audit_key_ids

FORMAT = "toex-backup"
VERSION = 1
MANIFEST = "manifest.json"
OPS_MEMBER = "ops.sqlite"
NOT_INCLUDED = (
    "keys/: key files are backed up separately and restored by hand (docs/operations.md)",
    "older snapshots and every web cache (rebuilt from the snapshot when served)",
)
CHUNK = 1 << 22


@dataclass(frozen=True)
class BackupResult:
    """A written archive: where, which snapshot, and the manifest."""

    path: Path
    run_id: str
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _version() -> str:
    try:
        return metadata.version("toex")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed
        return "unknown"


def _add(tar: tarfile.TarFile, name: str, path: Path) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = PRIVATE_FILE, 0, 0, "", ""
    with path.open("rb") as fh:
        tar.addfile(info, fh)


def _audit(url: str, settings: Settings, target: str, detail: dict[str, object]) -> None:
    """Write a backup or restore to the audit log of the store at ``url`` (keyed by the
    deployment's audit key, which ``settings`` locate)."""
    ops = open_store(url, settings=settings)
    try:
        record(
            ops,
            username=requester(),
            action=target.split()[0],
            target=target,
            detail=detail,
            client="cli",
        )
    finally:
        ops.dispose()


def backup(data_dir: Path, settings: Settings, out: Path, *, wait: float = 0.0) -> BackupResult:
    """Write the archive ``out`` (0600) of ``data_dir``'s operational store and current
    snapshot; the audit entry of the backup is written first, so the archive holds it."""
    if out.exists():
        raise InputError(f"{out} exists: choose a new file for the backup")
    url = ops_url(settings, data_dir)
    with data_dir_lock(data_dir, wait=wait), private_umask():
        store = SnapshotStore(data_dir)
        info = store.current()
        if info is None:
            raise SnapshotError(f"no warehouse snapshot under {data_dir}: nothing to back up")
        problem = store.check(info)
        if problem is not None:
            raise SnapshotError(f"the current snapshot {info.run_id} cannot be opened: {problem}")
        _audit(
            url,
            settings,
            f"backup of snapshot {info.run_id}",
            {"file": out.name, "run_id": info.run_id},
        )
        scratch = ensure_private_dir(data_dir / "tmp")
        with tempfile.TemporaryDirectory(prefix="backup-", dir=scratch) as work:
            ops_file = Path(work) / OPS_MEMBER
            rev = dump_ops(url, ops_file)
            members = {OPS_MEMBER: ops_file, f"warehouse/{info.path.name}": info.path}
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "toex_version": _version(),
                "snapshot": {
                    "run_id": info.run_id,
                    "file": info.path.name,
                    "created_at": info.created_at.isoformat(),
                },
                "ops": {"dialect": url.split(":", 1)[0].split("+")[0], "revision": rev},
                "files": {
                    n: {"size": p.stat().st_size, "sha256": _sha256(p)} for n, p in members.items()
                },
                "not_included": list(NOT_INCLUDED),
            }
            partial = out.with_name(out.name + ".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
            try:
                with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w") as tar:
                    body = json.dumps(manifest, indent=1).encode("utf-8")
                    entry = tarfile.TarInfo(MANIFEST)
                    entry.size, entry.mode = len(body), PRIVATE_FILE
                    entry.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                    tar.addfile(entry, io.BytesIO(body))
                    for name, path in members.items():
                        _add(tar, name, path)
                os.replace(partial, out)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
    return BackupResult(out, info.run_id, manifest)


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of a backup archive; :class:`InputError` if it is not one."""
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                raise InputError(f"{archive}: not a toex backup (no {MANIFEST} first)")
            fh = tar.extractfile(member)
            assert fh is not None
            manifest: dict[str, Any] = json.loads(fh.read().decode("utf-8"))
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise InputError(f"{archive}: not a readable toex backup: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise InputError(f"{archive}: not a toex backup of format {FORMAT} version {VERSION}")
    return manifest


def _extract(fh: IO[bytes], dest: Path) -> str:
    digest = hashlib.sha256()
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _check_revision(archive: Path, rev: str | None, url: str) -> None:
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config(url))
    try:
        script.get_revision(rev)
    except Exception as exc:  # alembic raises its own CommandError / ResolutionError
        raise InputError(
            f"{archive}: its operational store is at revision {rev}, which this toex does "
            "not know (a newer version made it)"
        ) from exc


def _signing_keys(ops_file: Path) -> set[str]:
    """The ids of the audit keys that signed the entries of a backed-up store file."""
    con = sqlite3.connect(f"file:{ops_file}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT key_id FROM audit_entry WHERE key_id IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in rows}


def _check_audit_keys(archive: Path, ops_file: Path, settings: Settings, url: str) -> None:
    """Refuse a restore whose audit log the target's audit keys cannot verify: the restored
    log would read as forged, and the restore's own entry would start a new key."""
    held, where = held_audit_key_ids(settings, url)
    missing = sorted(_signing_keys(ops_file) - held)
    if missing:
        raise InputError(
            f"{archive}: its audit log is signed with audit key {', '.join(missing)}, which "
            f"{where} does not hold: put the backed-up key files in place first "
            "(docs/operations.md); nothing was restored"
        )


def _empty_target(data_dir: Path, url: str) -> None:
    store = SnapshotStore(data_dir)
    held = [i.path.name for i in store.list()]
    if store.pointer.exists():
        held.append("CURRENT")
    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        held.append(path.name)
    if held:
        raise InputError(
            f"data directory {data_dir} is not empty ({', '.join(sorted(held))}): "
            "restore only into an empty directory"
        )


def restore(
    archive: Path, data_dir: Path, settings: Settings, *, wait: float = 0.0
) -> dict[str, Any]:
    """Restore ``archive`` into the empty ``data_dir`` (and its operational store); returns
    the manifest. Every checksum is verified before anything is moved into place."""
    manifest = read_manifest(archive)
    files: dict[str, dict[str, Any]] = manifest["files"]
    snapshot = manifest["snapshot"]
    snap_member = f"warehouse/{snapshot['file']}"
    if set(files) != {OPS_MEMBER, snap_member} or "/" in str(snapshot["file"]):
        raise InputError(f"{archive}: its manifest does not list exactly the store and snapshot")
    url = ops_url(settings, data_dir)
    _check_revision(archive, manifest["ops"].get("revision"), url)
    with data_dir_lock(data_dir, wait=wait), private_umask():
        _empty_target(data_dir, url)
        scratch = ensure_private_dir(data_dir / "tmp")
        with tempfile.TemporaryDirectory(prefix="restore-", dir=scratch) as work:
            got: dict[str, Path] = {}
            with tarfile.open(archive, mode="r:*") as tar:
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    if member.name not in files or not member.isfile() or member.name in got:
                        raise InputError(f"{archive}: unexpected member {member.name!r}")
                    fh = tar.extractfile(member)
                    assert fh is not None
                    dest = Path(work) / f"m{len(got)}"
                    digest = _extract(fh, dest)
                    if digest != files[member.name]["sha256"]:
                        raise InputError(
                            f"{archive}: {member.name} fails its checksum "
                            f"(sha256 {digest}, manifest {files[member.name]['sha256']})"
                        )
                    got[member.name] = dest
            missing = sorted(set(files) - set(got))
            if missing:
                raise InputError(f"{archive}: missing {', '.join(missing)}")
            _check_audit_keys(archive, got[OPS_MEMBER], settings, url)
            store = SnapshotStore(data_dir)
            ensure_private_dir(store.root)
            target = store.root / snapshot["file"]
            shutil.move(got[snap_member], target)
            path = sqlite_path(url)
            if path is not None:
                ensure_private_dir(path.parent, owned=False)
                shutil.move(got[OPS_MEMBER], path)
                os.chmod(path, PRIVATE_FILE)
            else:
                load_ops(got[OPS_MEMBER], url)
            store.use(snapshot["run_id"])
        detail = {"file": archive.name, "backup": manifest["created_at"]}
        _audit(
            url, settings, f"restore of snapshot {snapshot['run_id']}", detail
        )  # migrates it first
    return manifest
