"""The pipeline entry: inputs checked, settings' link config used, results reported."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from toex.errors import PipelineError
from toex.link.stage import LinkSummary, build_links, run_link_stage

from .warehouse import Warehouse


class Progress:
    """Records what the stage reports through ``ctx.progress``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None, int]] = []

    @contextlib.contextmanager
    def track(self, description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        done = [0]

        def advance(n: int) -> None:
            done[0] += n

        yield advance
        self.calls.append((description, total, done[0]))


def test_missing_inputs_are_named() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE staged_event (event_id VARCHAR)")
    with pytest.raises(PipelineError) as err:
        build_links(con)
    assert str(err.value) == (
        "link stage: missing input table(s) staged_person_mention, staged_object, "
        "staged_location, resolved_mention_person; run ingest and resolve first"
    )


def test_stage_uses_the_settings_link_config_and_reports(wh: Warehouse, tmp_path: Path) -> None:
    wh.crime("c1", ["A", "B"], date="2024-01-01")
    config = tmp_path / "link.yaml"
    config.write_text("base_weights: {co_offending: 7.5}\n", encoding="utf-8")
    progress = Progress()
    ctx = SimpleNamespace(
        con=wh.ibis,
        previous=None,
        settings=SimpleNamespace(link_config=config, force_catalogue=None),
        progress=progress,
        results={},
    )
    run_link_stage(ctx)
    assert wh.rows("SELECT weight FROM link_edge") == [(7.5,)]
    assert ctx.results["link"] == LinkSummary(
        edges=1, hubs=0, linked_persons=2, components=1, communities=1, crossforce_new=0
    )
    assert progress.calls == [("link", 3, 3)]
