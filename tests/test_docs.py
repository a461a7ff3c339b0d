"""Documents generated from code are current; docs name every package."""

from __future__ import annotations

from pathlib import Path

from toex.docsgen import cli_reference, configuration_reference, data_model_reference

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text() == cli_reference(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_data_model_is_current() -> None:
    assert (ROOT / "docs" / "data-model.md").read_text() == data_model_reference(), (
        "docs/data-model.md is stale: run `make docs`"
    )


def test_architecture_names_every_package() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    packages = sorted(
        p.name
        for p in (ROOT / "src" / "toex").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    )
    for name in packages:
        assert f"`{name}`" in text, f"docs/architecture.md does not describe package {name}"


def test_readme_starts_with_the_two_setup_commands() -> None:
    lines = [ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.strip()]
    block = lines[lines.index("```") + 1 :]
    assert block[:2] == ["make demo", "make test"]


def test_configuration_reference_is_current() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == configuration_reference(), (
        "docs/configuration.md is stale: run `make docs`"
    )


def test_readme_lists_every_document() -> None:
    readme = (ROOT / "README.md").read_text()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{doc.name}" in readme, f"README.md does not list docs/{doc.name}"
