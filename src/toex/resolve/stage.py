"""The resolve pipeline stage: ``run_resolve_stage(ctx)`` and its standalone run.

Reads the previous snapshot's ``resolved_mention_person`` (for stable IDs) and the active
analyst decisions from the operational store, resolves the snapshot's mentions with
:func:`toex.resolve.run.resolve_people`, and stores the trained parameters in the snapshot
(``resolved_model_params``) and as ``<data_dir>/models/<run_id>.json``.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from toex.ops import open_store
from toex.ops.decisions import active_decisions, decision_triples
from toex.resolve.model import ModelParams
from toex.resolve.run import ResolveConfig, ResolveResult, resolve_people

if TYPE_CHECKING:
    from toex.pipeline import PipelineContext

_log = logging.getLogger(__name__)


def previous_mapping(path: Path) -> pa.Table | None:
    """``mention_id, person_id`` of the snapshot at ``path`` (None if it has none)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "resolved_mention_person" not in names:
            return None
        return con.execute(
            "SELECT mention_id, person_id FROM resolved_mention_person"
        ).fetch_arrow_table()
    finally:
        con.close()


def load_decisions(ops_url: str) -> list[tuple[str, str, bool]]:
    """Active decisions of the operational store at ``ops_url``."""
    store = open_store(ops_url)
    try:
        return decision_triples(active_decisions(store))
    finally:
        store.dispose()


MIN_MENTIONS_TO_TRAIN = 2000
"""Below this many mentions the shipped default parameters are used instead of training."""


def default_params() -> ModelParams:
    """The shipped parameters (trained on the tiny synthetic set), for small data."""
    text = resources.files("toex.resolve").joinpath("data/default_params.json").read_text("utf-8")
    params: ModelParams = json.loads(text)
    return params


def run_resolve_stage(ctx: PipelineContext) -> None:
    """Stage: resolve persons and objects into the ``resolved_*`` tables of the snapshot.

    Does nothing when the snapshot holds no ``staged_person_mention`` table; uses the shipped
    default parameters when it holds fewer than :data:`MIN_MENTIONS_TO_TRAIN` mentions.
    """
    settings = ctx.settings
    if "staged_person_mention" not in ctx.con.list_tables():
        return
    n = int(ctx.con.con.execute("SELECT count(*) FROM staged_person_mention").fetchall()[0][0])
    params = default_params() if n < MIN_MENTIONS_TO_TRAIN else None
    ops_url = settings.ops_database_url or f"sqlite:///{Path(ctx.data_dir) / 'ops.sqlite'}"
    previous = previous_mapping(ctx.previous.path) if ctx.previous is not None else None
    config = ResolveConfig(
        threshold=settings.match_threshold,
        threads=settings.threads,
        memory_limit=settings.memory_limit,
        work_dir=ctx.work_dir or Path(ctx.data_dir) / "tmp",
    )
    steps = ["features", "training", "scoring", "clustering", "writing"]
    with ctx.progress.track("resolve", total=len(steps)) as advance:

        def progress(msg: str) -> None:
            _log.info(msg)
            if ", slice " not in msg:  # one step per stage step, not per scoring slice
                advance(1)

        result = resolve_people(
            ctx.con,
            run_id=ctx.run_id,
            previous=previous,
            decisions=load_decisions(ops_url),
            config=config,
            params=params,
            progress=progress,
        )
    save_params_file(Path(ctx.data_dir), ctx.run_id, result)
    ctx.results["resolve"] = result


def save_params_file(data_dir: Path, run_id: str, result: ResolveResult) -> Path:
    """Write the run's parameters to ``<data_dir>/models/<run_id>.json``."""
    path = data_dir / "models" / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "run_id": run_id,
        "params": result.params,
        "n_mentions": result.n_mentions,
        "n_persons": result.n_persons,
        "timings": result.timings,
    }
    path.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    return path


def resolve_current(data_dir: Path) -> Any:
    """Run the resolve stage alone on a new snapshot copied from the current one."""
    from toex.pipeline import run

    return run(None, data_dir, stages=[run_resolve_stage], progress=False)
