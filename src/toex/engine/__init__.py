"""The one seam to the compute engine: connections and warehouse snapshots.

Holds :func:`connect` (an Ibis backend for a warehouse file, configured from settings),
:class:`SnapshotStore` (one DuckDB file per run under ``<data_dir>/warehouse/``, with an
atomically switched ``CURRENT`` pointer), the data-directory lock (:mod:`.lock`) and its
owner-only files and killed-run cleanup (:mod:`.datadir`); paths and names reach SQL only
through :mod:`.quoting`. Every stage reaches the engine
through here.

May import ``toex.config`` and ``toex.errors`` only.
"""

from toex.engine.connection import connect
from toex.engine.snapshots import Snapshot, SnapshotInfo, SnapshotStore

__all__ = ["Snapshot", "SnapshotInfo", "SnapshotStore", "connect"]
