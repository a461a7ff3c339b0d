"""Benchmark: force profile packs from a pipeline run (one pack, then all nine).

Input is a data directory holding a ``toex run`` snapshot (``--data-dir``; read only). The
packs, a calendar with every force meeting on the same day a week ahead, and an operational
store in which each force's organisation has agreements for its region are written to a
temporary directory. It times:

1. one pack (``--force``, default cambs): opening the snapshot with its access tables, then
   scope, sections, rendering (two WeasyPrint layouts) and writing + recording;
2. all nine packs with ``publish_due`` (one snapshot connection shared by every pack);
3. the reference: the nine packs built one ``build_pack`` call at a time (each opening the
   snapshot and building the access tables itself), unless ``--no-reference``.

With the wall and CPU time, peak RSS and the 1-minute load average around each run (the
machine is shared). Writes the "Publish" section of ``docs/benchmarks.md`` unless
``--no-write``.

    .venv/bin/python -m bench.bench_packs --data-dir /work/data/small --label "small (seed 7)"
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.config import load_catalogue
from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation
from toex.publish.config import PublishConfig
from toex.publish.pack import Snapshot, build_pack, make_pack, publish_due

SECTION = "## Publish (force profile packs)"
MEETING = dt.date(2026, 1, 9)
TODAY = MEETING - dt.timedelta(days=7)
TARGETS = {"small": (30, None), "large": (90, 300)}


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measured(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run ``fn``; its result and wall s, CPU s, load before/after, peak RSS so far."""
    load, wall, cpu = os.getloadavg()[0], time.perf_counter(), _cpu()
    out = fn()
    return out, {
        "wall": time.perf_counter() - wall,
        "cpu": _cpu() - cpu,
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "rss": _rss_gb(),
    }


def setup(data_dir: Path, work: Path) -> PublishConfig:
    """A calendar with every force meeting on MEETING, and each force's organisation with
    agreements for the forces of its region."""
    catalogue = load_catalogue()
    calendar = work / "fttcg.yaml"
    calendar.write_text(
        "".join(f"{f.code}: {{dates: [{MEETING.isoformat()}]}}\n" for f in catalogue.forces)
    )
    cfg = PublishConfig(
        data_dir=data_dir,
        packs_dir=work / "packs",
        ops_url=f"sqlite:///{work / 'ops.sqlite'}",
        calendar_override=calendar,
    )
    store = open_store(cfg.ops_url)
    with store.session() as s:
        for force in catalogue.forces:
            org = create_organisation(s, f"force-{force.code}", force.name, "force", force.code)
            for other in catalogue.forces:
                if other.region == force.region:
                    add_agreement(s, org, other.code)
        s.commit()
    store.dispose()
    return cfg


def one_pack(cfg: PublishConfig, force: str) -> dict[str, Any]:
    """One pack: open (access tables) then make_pack, with its phase times."""
    catalogue = load_catalogue()
    store = open_store(cfg.ops_url)
    try:
        snap, opened = measured(lambda: Snapshot.open(cfg.data_dir))
        try:
            result, made = measured(
                lambda: make_pack(
                    cfg,
                    store,
                    snap,
                    catalogue,
                    catalogue.force(force),
                    MEETING,
                    today=TODAY,
                    author="bench",
                )
            )
        finally:
            snap.close()
    finally:
        store.dispose()
    return {"open": opened, "make": made, "result": result}


def separate_builds(cfg: PublishConfig) -> list[Any]:
    """The reference: each force's pack by its own build_pack call (rebuild: new versions)."""
    return [
        build_pack(cfg, f.code, author="bench", today=TODAY, rebuild=True)
        for f in load_catalogue().forces
    ]


def _row(name: str, m: dict[str, float], extra: str = "") -> str:
    return (
        f"| {name} | {m['wall']:.1f} | {m['cpu']:.1f} | {m['rss']:.2f} | "
        f"{m['load_before']:.1f} / {m['load_after']:.1f} | {extra} |"
    )


def report(
    label: str,
    data_dir: Path,
    one: dict[str, Any],
    due: tuple[Any, dict[str, float]],
    reference: tuple[Any, dict[str, float]] | None,
) -> str:
    """The markdown section."""
    result = one["result"]
    t = result.timings
    one_total = one["open"]["wall"] + one["make"]["wall"]
    results, m_due = due
    built = [r for r in results if r.status == "built"]
    pages = sum(r.result.pages for r in built if r.result)
    scale = label.split()[0]
    one_target, all_target = TARGETS.get(scale, (None, None))
    lines = [
        SECTION,
        "",
        f'Command: `.venv/bin/python -m bench.bench_packs --data-dir DIR --label "{label}"` on '
        f"the {label} synthetic set's `toex run` snapshot (`{data_dir.name}`). Machine: "
        f"{platform.machine()}, {platform.system()}, {os.cpu_count()} cores, shared (the "
        "1-minute load average before / after each run is given). Each force's organisation "
        "has agreements for its region's forces; every force meets on the same day.",
        "",
        "| run | wall s | CPU s | peak RSS GB | load | notes |",
        "|---|---|---|---|---|---|",
        _row("open the snapshot, build the access tables", one["open"]),
        _row(
            f"one pack ({result.force}): scope, sections, render, write",
            one["make"],
            f"{result.pages} pages; scope {t['scope']:.1f} s, sections {t['sections']:.1f} s, "
            f"render {t['render']:.1f} s, write + record {t['write_record']:.1f} s",
        ),
        _row(
            f"all nine packs (`publish due`, one connection): {len(built)} built",
            m_due,
            f"{pages} pages",
        ),
    ]
    if reference is not None:
        _ref_results, m_ref = reference
        lines.append(
            _row(
                "reference: nine separate `build_pack` calls",
                m_ref,
                f"shared / separate: CPU {m_due['cpu'] / m_ref['cpu']:.2f}, "
                f"wall {m_due['wall'] / m_ref['wall']:.2f}",
            )
        )
    one_cpu = one["open"]["cpu"] + one["make"]["cpu"]
    lines += [
        "",
        f"One pack end to end: {one_total:.1f} s wall, {one_cpu:.1f} s CPU"
        + (f" (target {one_target} s)" if one_target else "")
        + f"; all nine: {m_due['wall']:.1f} s wall, {m_due['cpu']:.1f} s CPU"
        + (f" (target {all_target} s)" if all_target else "")
        + ". On a shared machine the wall time grows with the load while the CPU time does "
        "not: with the load average near the core count (2) the wall time is close to the CPU "
        "time; rendering (two WeasyPrint layouts of a pack whose size does not grow with the "
        "data) is most of it.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a toex run's data dir")
    parser.add_argument("--label", default="small (seed 7)", help="data set, for the report")
    parser.add_argument("--force", default="cambs", help="the force of the one-pack run")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference")
    parser.add_argument("--no-write", action="store_true", help="do not touch the docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_packs_") as tmp:
        work = Path(tmp)
        cfg = setup(args.data_dir, work)
        one = one_pack(cfg, args.force)
        print(
            f"one pack: open {one['open']['wall']:.1f} s, make {one['make']['wall']:.1f} s "
            f"{one['result'].timings}",
            file=sys.stderr,
        )
        # every pack again (rebuild), sharing one snapshot connection
        due_cfg = dataclasses.replace(cfg, packs_dir=work / "due")
        due = measured(lambda: publish_due(due_cfg, author="bench", today=TODAY, rebuild=True))
        print(f"all nine: {due[1]['wall']:.1f} s", file=sys.stderr)
        reference = None
        if not args.no_reference:
            ref_cfg = dataclasses.replace(cfg, packs_dir=work / "separate")
            reference = measured(lambda: separate_builds(ref_cfg))
            print(f"reference: {reference[1]['wall']:.1f} s", file=sys.stderr)
        text = report(args.label, args.data_dir, one, due, reference)
    print(text)
    if not args.no_write:
        replace_section(text)
    failed = [r for r in due[0] if r.status == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
