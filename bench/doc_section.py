"""The one writer of ``docs/benchmarks.md``: each benchmark replaces its own section."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(text: str, path: Path = BENCHMARKS_DOC) -> None:
    """Replace the section ``text`` starts with (its ``## `` heading line) up to the next
    ``## `` heading, or append it when the document has no such section. Subsections
    (``### ``) inside the old section go with it."""
    heading = text.split("\n", 1)[0]
    if not heading.startswith("## "):
        raise ValueError(f"a benchmark section starts with a '## ' heading, not {heading!r}")
    old = path.read_text("utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(heading))
        rest = old[end + 1 :] if end >= 0 else ""
        new = old[:start] + text.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new.rstrip("\n") + "\n", "utf-8")
