"""Secret keys: the session key and the audit key, from settings or from key files.

A key file holds one key a line (32+ characters); the last line signs, earlier ones still
verify (rotation). A missing default key file is generated once, atomically (a complete
temporary file hard-linked into place), so processes starting together agree on one key;
files are 0600 in a 0700 directory, and a key file other users may read is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from toex.config.settings import MIN_KEY_CHARS, Settings
from toex.errors import ConfigError

KEY_DIR = "keys"
SESSION_KEY_FILE = "session.key"
AUDIT_KEY_FILE = "audit.key"
CHECKPOINT_FILE = "audit-checkpoints.log"


def key_id(key: str) -> str:
    """A short public name of a key (12 hex digits of a domain-separated SHA-256)."""
    return hashlib.sha256(b"toex key id\0" + key.encode("utf-8")).hexdigest()[:12]


def parse_keys(text: str, source: str) -> list[str]:
    """The keys in ``text`` (lines or commas), oldest first; :class:`ConfigError` when there
    are none or one is shorter than :data:`MIN_KEY_CHARS`."""
    keys = [k.strip() for k in text.replace(",", "\n").splitlines() if k.strip()]
    if not keys:
        raise ConfigError(f"{source} holds no key")
    for number, key in enumerate(keys, 1):
        if len(key) < MIN_KEY_CHARS:
            raise ConfigError(
                f"{source}: key {number} is too short: use {MIN_KEY_CHARS}+ characters"
            )
    return keys


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; a directory toex creates is 0700."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    return path


def create_key_file(path: Path) -> bool:
    """Write a new random key to ``path`` unless it exists; True if this call created it.

    The key is written in full to a private temporary file which is then hard-linked to
    ``path``: the link fails when another process got there first, and nobody ever reads a
    half-written key.
    """
    private_dir(path.parent)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def read_key_file(path: Path) -> list[str]:
    """The keys in a key file; refuses a missing file or one other users may read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"key file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"key file {path} is readable by other users (mode {stat.S_IMODE(mode):04o}): "
            "chmod 600 it"
        )
    return parse_keys(path.read_text("utf-8"), f"key file {path}")


def default_key_file(path: Path) -> list[str]:
    """The keys in a toex-managed key file, generating it first if it is missing."""
    if not path.exists():
        create_key_file(path)
    return read_key_file(path)


def store_dir(ops_url: str, settings: Settings) -> Path:
    """Where a store's default key directory and checkpoint log live: beside a SQLite file
    store, else under the data directory."""
    if ops_url.startswith("sqlite:///") and not ops_url.startswith("sqlite:///:memory:"):
        return Path(ops_url.removeprefix("sqlite:///")).parent
    return settings.data_dir


def session_keys(settings: Settings) -> list[str]:
    """The session keys, oldest first (the last signs): TOEX_SECRET_KEY, else the configured
    key file, else ``<data_dir>/keys/session.key`` (generated once)."""
    if settings.secret_key is not None:
        return parse_keys(settings.secret_key, "TOEX_SECRET_KEY")
    if settings.secret_key_file is not None:
        return read_key_file(settings.secret_key_file)
    return default_key_file(settings.data_dir / KEY_DIR / SESSION_KEY_FILE)


@dataclass(frozen=True)
class AuditKeys:
    """The audit MAC keys by id; ``current`` names the one new entries are signed with."""

    keys: dict[str, bytes]
    current: str

    @classmethod
    def of(cls, keys: list[str]) -> AuditKeys:
        """Keys from a list, oldest first (the last signs)."""
        by_id = {key_id(k): k.encode("utf-8") for k in keys}
        return cls(by_id, key_id(keys[-1]))

    def mac(self, message: bytes, key: str | None = None) -> str:
        """HMAC-SHA256 hex of ``message`` under key ``key`` (default: the current one)."""
        return hmac.new(self.keys[key or self.current], message, hashlib.sha256).hexdigest()


def audit_keys(settings: Settings, ops_url: str) -> AuditKeys:
    """The audit keys: TOEX_AUDIT_KEY, else the configured key file, else
    ``keys/audit.key`` in :func:`store_dir` (generated once)."""
    if settings.audit_key is not None:
        return AuditKeys.of(parse_keys(settings.audit_key, "TOEX_AUDIT_KEY"))
    if settings.audit_key_file is not None:
        return AuditKeys.of(read_key_file(settings.audit_key_file))
    path = store_dir(ops_url, settings) / KEY_DIR / AUDIT_KEY_FILE
    return AuditKeys.of(default_key_file(path))


def held_audit_key_ids(settings: Settings, ops_url: str) -> tuple[set[str], str]:
    """The ids of the audit keys a store at ``ops_url`` would verify with, without generating
    a key file, and where they come from (for messages)."""
    if settings.audit_key is not None:
        return {key_id(k) for k in parse_keys(settings.audit_key, "TOEX_AUDIT_KEY")}, (
            "TOEX_AUDIT_KEY"
        )
    path = settings.audit_key_file or store_dir(ops_url, settings) / KEY_DIR / AUDIT_KEY_FILE
    if not path.exists():
        return set(), str(path)
    return {key_id(k) for k in read_key_file(path)}, str(path)


def checkpoint_path(settings: Settings, ops_url: str) -> Path:
    """The audit checkpoint log: the setting, else ``audit-checkpoints.log`` in
    :func:`store_dir`."""
    return settings.audit_checkpoint_file or store_dir(ops_url, settings) / CHECKPOINT_FILE


class AuditConfig:
    """What appending to and verifying a store's audit log needs: its keys (loaded on first
    use), its checkpoint log, and how many entries may pass between checkpoints."""

    def __init__(
        self, load_keys: Callable[[], AuditKeys], checkpoint_file: Path, checkpoint_every: int
    ) -> None:
        self._load_keys = load_keys
        self.checkpoint_file = checkpoint_file
        self.checkpoint_every = checkpoint_every

    @cached_property
    def keys(self) -> AuditKeys:
        """The audit keys (read, or generated, once)."""
        return self._load_keys()

    @classmethod
    def from_settings(cls, settings: Settings, ops_url: str) -> AuditConfig:
        """The configuration ``settings`` give the store at ``ops_url``."""
        return cls(
            lambda: audit_keys(settings, ops_url),
            checkpoint_path(settings, ops_url),
            settings.audit_checkpoint_entries,
        )

    @classmethod
    def fixed(
        cls, keys: list[str], checkpoint_file: Path, checkpoint_every: int = 1000
    ) -> AuditConfig:
        """A configuration with these keys (oldest first), for tests and tools."""
        ring = AuditKeys.of(keys)
        return cls(lambda: ring, checkpoint_file, checkpoint_every)
