"""Which mapping loads which file: from ``manifest.json`` or from the mappings' file patterns.

A directory laid out as the generator writes it has ``manifest.json`` listing every file with
its force, system and kind; each file is loaded by the mapping with that ``source_system`` and
``kind``. Without a manifest, every file (outside ``truth/``) is matched against the mappings'
``files`` patterns, whose ``{force}`` placeholder gives the force.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toex.errors import MappingError, ReadError
from toex.ingest.mapping import Mapping

MANIFEST = "manifest.json"
IGNORED_DIRS = ("truth",)


@dataclass(frozen=True)
class FileTask:
    """One file to load: where it is, its name in provenance, its mapping and force."""

    path: Path
    source_file: str
    mapping: Mapping
    force: str


def _by_system_kind(mappings: list[Mapping]) -> dict[tuple[str, str], Mapping]:
    out: dict[tuple[str, str], Mapping] = {}
    for m in mappings:
        key = (m.source_system, m.kind)
        if key in out:
            raise MappingError(
                f"two mappings for system {m.source_system!r} kind {m.kind!r}: "
                f"{out[key].source} and {m.source}"
            )
        out[key] = m
    return out


def from_manifest(input_dir: Path, mappings: list[Mapping]) -> list[FileTask]:
    """Tasks for the files listed in ``input_dir/manifest.json``."""
    path = input_dir / MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReadError(f"not a readable manifest ({exc})", file=MANIFEST) from None
    index = _by_system_kind(mappings)
    tasks = []
    for i, entry in enumerate(entries, start=1):
        try:
            rel, force, system, kind = (str(entry[k]) for k in ("path", "force", "system", "kind"))
        except (KeyError, TypeError):
            raise ReadError(
                "entry needs path, force, system and kind", file=MANIFEST, row=i
            ) from None
        mapping = index.get((system, kind))
        if mapping is None:
            raise MappingError(f"{rel}: no mapping for system {system!r} kind {kind!r}")
        file = input_dir / rel  # a file that is missing is quarantined when it is loaded
        tasks.append(FileTask(file, Path(rel).as_posix(), mapping, force))
    return tasks


def from_patterns(input_dir: Path, mappings: list[Mapping]) -> tuple[list[FileTask], list[str]]:
    """Tasks for the files matching a mapping's pattern, and the files no mapping matched."""
    tasks, unmatched = [], []
    for file in sorted(p for p in input_dir.rglob("*") if p.is_file()):
        rel = file.relative_to(input_dir).as_posix()
        if rel.split("/")[0] in IGNORED_DIRS or rel == MANIFEST or file.name.startswith("."):
            continue
        hits = [(m, groups) for m in mappings if (groups := m.match(rel)) is not None]
        if not hits:
            unmatched.append(rel)
            continue
        if len(hits) > 1:
            names = ", ".join(m.source for m, _ in hits)
            raise MappingError(f"{rel}: matched by several mappings ({names})")
        mapping, groups = hits[0]
        force = groups.get("force") or mapping.force
        if not force:
            raise MappingError(
                f"{rel}: no force: add {{force}} to the file pattern or 'force:' to the mapping",
                mapping=mapping.source,
            )
        tasks.append(FileTask(file, rel, mapping, force))
    return tasks, unmatched


def discover(input_dir: Path, mappings: list[Mapping]) -> tuple[list[FileTask], list[str]]:
    """Tasks for a directory: by manifest if it has one, else by pattern (with unmatched)."""
    if not input_dir.is_dir():
        raise ReadError("not a directory", file=str(input_dir))
    if (input_dir / MANIFEST).is_file():
        return from_manifest(input_dir, mappings), []
    return from_patterns(input_dir, mappings)
