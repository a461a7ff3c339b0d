"""The offence-code table and its cleaning of written codes."""

from __future__ import annotations

import pytest

from toex.model.offences import canonical_offence_code, offence_table


def test_table_has_vawg_offences_and_non_vawg_offences() -> None:
    table = offence_table()
    assert table["19C"].vawg and table["19C"].sexual
    assert table["8R"].vawg and not table["8R"].sexual
    assert not table["46"].vawg and not table["46"].vawg_context
    assert table["8N"].vawg_context and not table["8N"].vawg


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("19C", "19C"),
        (" 019c ", "19C"),
        ("105a", "105A"),
        ("4/1", "4.1"),
        ("4.1", "4.1"),
        ("999Z", None),
        ("", None),
        (None, None),
        ("rape", None),
    ],
)
def test_canonical_offence_code(written: str | None, expected: str | None) -> None:
    assert canonical_offence_code(written) == expected
