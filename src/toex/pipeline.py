"""The pipeline: ordered stages run inside one new warehouse snapshot.

:func:`run` takes the data-directory lock, removes what killed runs left, opens
:meth:`SnapshotStore.begin`, runs each stage of :data:`STAGES` with a :class:`PipelineContext`,
lets the snapshot become ``current`` only if every stage returned, and prunes old snapshots.
A stage is a callable ``(ctx) -> None`` that writes tables through ``ctx.con`` and may leave
results for the caller in ``ctx.results``. The erasure stage runs after every ingest stage.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends.duckdb import Backend as DuckDBBackend
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from toex.assess.retention import run_retention_stage
from toex.assess.stage import run_assess_stage
from toex.assess.stim.stage import run_stim_stage
from toex.assess.threat_stage import run_threat_stage
from toex.config import Settings, get_settings
from toex.datadir.erase import after_switch, erasure_stage, tombstones_for
from toex.engine import SnapshotInfo, SnapshotStore
from toex.engine.datadir import clean_killed_runs, private_umask, scratch_dir, tighten
from toex.engine.lock import data_dir_lock
from toex.ingest.discovery import FileTask
from toex.ingest.loader import FileReport
from toex.ingest.report import check_balanced
from toex.ingest.stage import (
    FileFailure,
    IngestOptions,
    IngestResult,
    NoProgress,
    ingest_directory,
    ingest_tasks,
)
from toex.link.stage import run_link_stage
from toex.resolve.stage import run_resolve_stage


class ProgressHelper:
    """Rich progress bars for stages (or nothing, when disabled)."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self._progress = (
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console or Console(stderr=True),
                transient=True,
            )
            if enabled
            else None
        )

    @contextlib.contextmanager
    def live(self) -> Iterator[None]:
        """Show the bars while the block runs."""
        if self._progress is None:
            yield
            return
        with self._progress:
            yield

    @contextlib.contextmanager
    def track(
        self,
        description: str,
        total: int | None = None,
    ) -> Iterator[Callable[[int], None]]:
        """A bar shown while the block runs; call the yielded function to advance it."""
        if self._progress is None:
            with NoProgress().track(description, total) as advance:
                yield advance
            return
        progress = self._progress
        task = progress.add_task(description, total=total)
        try:
            yield lambda n: progress.advance(task, n)
        finally:
            progress.remove_task(task)


@dataclass
class PipelineContext:
    """What a stage gets: the new snapshot's backend and where things are."""

    con: DuckDBBackend
    run_id: str
    input_dir: Path | None
    data_dir: Path
    previous: SnapshotInfo | None
    settings: Settings
    progress: ProgressHelper
    results: dict[str, Any] = field(default_factory=dict)
    #: This run's scratch directory (``<data_dir>/tmp/run-<pid>-<hex>``, removed at the end).
    work_dir: Path | None = None
    #: Set by a stage that deleted rows which must not survive in the file's free blocks.
    compact: bool = False
    #: ``--strict``: the first file that cannot be loaded aborts the run (else it is
    #: quarantined whole and the run goes on; the CLI then exits non-zero).
    strict: bool = False

    def ingest_options(self) -> IngestOptions:
        """The ingest failure policy and limits of this run."""
        return IngestOptions(self.strict, self.settings.ingest_max_field_bytes)


Stage = Callable[[PipelineContext], object]


@dataclass
class RunResult:
    """A finished run: its id, the snapshot it wrote, and what stages reported."""

    run_id: str
    path: Path
    previous: SnapshotInfo | None
    results: dict[str, Any]
    pruned: list[Path] = field(default_factory=list)

    @property
    def reports(self) -> list[FileReport]:
        """The ingest stage's file reports (empty if it did not run)."""
        ingest = self.results.get("ingest")
        return list(ingest.reports) if isinstance(ingest, IngestResult) else []

    @property
    def failed(self) -> list[FileFailure]:
        """The files the ingest stage quarantined whole (empty if none, or it did not run)."""
        ingest = self.results.get("ingest")
        return list(ingest.failed) if isinstance(ingest, IngestResult) else []


def ingest(ctx: PipelineContext) -> None:
    """Stage: load every file of ``ctx.input_dir``; every file must balance."""
    if ctx.input_dir is None:
        raise ValueError("the ingest stage needs an input directory")
    result = ingest_directory(
        ctx.con.con, ctx.input_dir, ctx.run_id, ctx.progress, options=ctx.ingest_options()
    )
    ctx.results["ingest"] = result
    check_balanced(result.reports)


def ingest_files_stage(tasks: Sequence[FileTask]) -> Stage:
    """A stage loading the given files (``toex ingest --mapping``)."""

    def stage(ctx: PipelineContext) -> None:
        result = ingest_tasks(ctx.con.con, tasks, ctx.run_id, ctx.progress, ctx.ingest_options())
        ctx.results["ingest"] = result
        check_balanced(result.reports)

    stage.__name__ = "ingest"
    return stage


#: The stages that rebuild everything derived from the staged tables.
DERIVED_STAGES: list[Stage] = [
    run_resolve_stage,
    run_link_stage,
    run_assess_stage,
    run_retention_stage,
    run_stim_stage,
    run_threat_stage,
]

STAGES: list[Stage] = [ingest, *DERIVED_STAGES]


def _is_ingest(stage: Stage) -> bool:
    return getattr(stage, "__name__", "") == "ingest"


def plan_stages(stages: Sequence[Stage], pending_erasures: bool) -> list[Stage]:
    """The stages a run executes: ``stages`` with the erasure stage after each ingest stage;
    with erasures not yet applied, also every derived stage missing (they must be rebuilt
    without the erased rows)."""
    out: list[Stage] = []
    for stage in stages:
        out.append(stage)
        if _is_ingest(stage) and erasure_stage not in stages:
            out.append(erasure_stage)
    if pending_erasures and erasure_stage in out:
        out += [s for s in DERIVED_STAGES if s not in out]
    return out


@contextlib.contextmanager
def _temp_files_in(directory: Path) -> Iterator[None]:
    """Send this process's temporary files (``tempfile``) to ``directory`` meanwhile."""
    old = tempfile.tempdir
    tempfile.tempdir = str(directory)
    try:
        yield
    finally:
        tempfile.tempdir = old


def run(
    input_dir: Path | None,
    data_dir: Path,
    *,
    progress: bool = True,
    stages: Sequence[Stage] | None = None,
    wait: float = 0.0,
    command: str | None = None,
    strict: bool = False,
) -> RunResult:
    """Run ``stages`` (default :data:`STAGES`) in a new snapshot; switch ``current`` on success.

    Holds the data-directory lock throughout (waiting up to ``wait`` seconds for another
    holder, else :class:`~toex.errors.DataDirBusyError`); first removes what killed runs left;
    afterwards keeps the newest ``TOEX_KEEP_SNAPSHOTS`` snapshots. ``strict``: a file that
    cannot be loaded aborts the run instead of being quarantined whole (see ``RunResult.failed``).
    """
    data_dir = Path(data_dir)
    # one settings object for the run, naming the data directory actually used: every stage
    # (resolve's decisions, STIM's partner records, erasure) finds the same ops store
    settings = get_settings().model_copy(update={"data_dir": data_dir})
    store = SnapshotStore(data_dir)
    helper = ProgressHelper(enabled=progress)
    with data_dir_lock(data_dir, wait=wait, command=command), private_umask():
        tighten(data_dir)
        clean_killed_runs(data_dir)
        chosen = list(stages if stages is not None else STAGES)
        if any(_is_ingest(s) for s in chosen) or erasure_stage in chosen:
            chosen = plan_stages(chosen, bool(tombstones_for(settings, data_dir).pending))
        with (
            scratch_dir(data_dir) as scratch,
            _temp_files_in(scratch),
            store.begin() as snap,
            helper.live(),
        ):
            ctx = PipelineContext(
                con=snap.con,
                run_id=snap.run_id,
                input_dir=Path(input_dir) if input_dir is not None else None,
                data_dir=data_dir,
                previous=snap.previous,
                settings=settings,
                progress=helper,
                work_dir=scratch,
                strict=strict,
            )
            for stage in chosen:
                stage(ctx)
            snap.compact = ctx.compact
        pruned = after_switch(ctx, store) + store.prune(settings.keep_snapshots)
    return RunResult(snap.run_id, snap.path, snap.previous, ctx.results, pruned)
