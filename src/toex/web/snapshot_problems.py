"""What went wrong opening snapshots, so the server logs each problem once and does not
retry a broken snapshot file until it changes (see :class:`toex.web.warehouse.Warehouse`)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("toex.web.warehouse")


def fingerprint(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (``None`` if it is gone)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class SnapshotProblems:
    """Snapshot files that failed to open (by run id and fingerprint) and problems logged."""

    def __init__(self) -> None:
        self._failed: dict[str, tuple[int, int] | None] = {}
        self._reported: set[str] = set()

    def report(self, message: str) -> None:
        """Log ``message`` as an error the first time it is seen."""
        if message not in self._reported:
            self._reported.add(message)
            log.error("%s", message)

    def failed(self, run_id: str, path: Path, cause: BaseException, serving: str) -> None:
        """Record (and log) that the snapshot ``run_id`` at ``path`` cannot be opened."""
        self._failed[run_id] = fingerprint(path)
        self.report(
            f"snapshot {run_id} ({path}) cannot be opened, so it is not served "
            f"(truncated or damaged?): {cause}; serving {serving}"
        )

    def failed_before(self, run_id: str, path: Path) -> bool:
        """Whether this very file (unchanged since) already failed to open."""
        return run_id in self._failed and self._failed[run_id] == fingerprint(path)
