"""docs/security.md cannot go stale: every test, setting, command, module and document it
names exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from toex.config.settings import Settings
from toex.docsgen import cli_reference

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
TEXT = DOC.read_text(encoding="utf-8")
SPANS = re.findall(r"`([^`\n]+)`", TEXT)


def _test_references() -> list[tuple[str, str | None]]:
    """(path, test name or None) for every ``tests/...py[::test_name]`` the page names."""
    found = re.findall(r"\b(tests/[\w/]+\.py)(?:::(\w+))?", TEXT)
    return sorted({(path, name or None) for path, name in found})


def test_the_page_cites_tests_and_settings() -> None:
    """Guards the checks below against a page that names nothing (they would pass)."""
    assert len([r for r in _test_references() if r[1]]) >= 50
    assert len(set(re.findall(r"\bTOEX_[A-Z0-9_]+", TEXT))) >= 15


@pytest.mark.parametrize(("path", "name"), _test_references())
def test_every_cited_test_exists(path: str, name: str | None) -> None:
    file = ROOT / path
    assert file.is_file(), f"docs/security.md cites {path}, which does not exist"
    if name:
        source = file.read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), (
            f"docs/security.md cites {path}::{name}, which is not a test in that file"
        )


def test_every_setting_named_exists() -> None:
    settings = {f"TOEX_{name.upper()}" for name in Settings.model_fields}
    named = set(re.findall(r"\bTOEX_[A-Z0-9_]+", TEXT))
    assert named - settings == set(), "docs/security.md names settings that do not exist"


def test_every_command_named_exists() -> None:
    """Each `toex ...` span's command words (up to the first option or placeholder) are a
    command or command group of the CLI."""
    commands = set(re.findall(r"^## `(toex[a-z -]*)`$", cli_reference(), re.MULTILINE))
    named = set()
    for span in SPANS:
        if not span.startswith("toex "):
            continue
        words = ["toex"]
        for word in span.split()[1:]:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        named.add(" ".join(words))
    assert len(named) >= 10
    assert named - commands == set(), "docs/security.md names commands that do not exist"


def test_every_module_and_document_named_exists() -> None:
    for span in SPANS:
        if re.fullmatch(r"toex(\.\w+)+", span):
            parts = span.split(".")
            # the longest importable prefix, then attributes
            for cut in range(len(parts), 0, -1):
                try:
                    obj: object = importlib.import_module(".".join(parts[:cut]))
                except ModuleNotFoundError:
                    continue
                for attr in parts[cut:]:
                    assert hasattr(obj, attr), f"docs/security.md names {span}: no {attr}"
                    obj = getattr(obj, attr)
                break
            else:
                pytest.fail(f"docs/security.md names {span}, which does not exist")
    for doc in set(re.findall(r"\bdocs/[\w-]+\.md\b", TEXT)):
        assert (ROOT / doc).is_file(), f"docs/security.md points to {doc}, which does not exist"
