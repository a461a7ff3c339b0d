"""Publish: the force profile pack each force receives a week before its FTTCG meeting.

``pack`` builds and records a pack (``publish_due`` every due one) from ``sections`` (one
module each) over the access tables of ``records`` under the force's ``scope``; ``render``
lays it out as HTML and a page-marked PDF (``charts`` draws SVG), ``files`` writes it whole;
``schedule`` and ``listing`` answer what is due and what is published. docs/publish.md.

May import ``toex.model``, ``toex.config``, ``toex.errors``, ``toex.engine``, ``toex.assess``
and ``toex.ops``; never ``toex.web`` or ``toex.cli``.
"""
