"""The sections of a force profile pack, in order; each module builds one section.

A section whose data the snapshot does not hold renders "not available in this snapshot"
(see :func:`toex.publish.content.unavailable`) instead of failing the pack.
"""

from __future__ import annotations

from collections.abc import Callable

from toex.publish.content import PackContext, Section
from toex.publish.sections import (
    appendix,
    crossforce,
    profiles,
    safeguarding,
    summary,
    suspects,
    threat_sections,
)

#: The section builders in pack order, after the cover and the contents.
SECTIONS: tuple[Callable[[PackContext], Section], ...] = (
    summary.build,
    suspects.build,
    safeguarding.build,
    profiles.build_missing,
    profiles.build_visor,
    crossforce.build,
    threat_sections.build,
    appendix.build,
)


def build_sections(ctx: PackContext) -> list[Section]:
    """Every section of the pack for ``ctx``, with the summary's headline figures."""
    sections = [build(ctx) for build in SECTIONS]
    summary.add_glance(ctx, sections[0])
    return sections
