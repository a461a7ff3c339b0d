"""Publish: the products toex makes from a warehouse snapshot, starting with the force
profile pack each force receives a week before its FTTCG (tasking) meeting.

- ``config``: the publish settings (lead days, clearance ceiling, victim names, paths);
- ``scope``: whose access scope a pack is built under, and that scope as SQL;
- ``records``: per-record and per-person access tables for one pack (pure ``*_sql``);
- ``sections``: one module per pack section, each rendering "not available in this
  snapshot" when its data is absent; ``actions``: recommended actions for a suspect;
- ``charts``: server-side SVG charts (shared with the web app);
- ``render``: HTML and PDF (WeasyPrint) with each page's marking, written atomically;
- ``pack``: build one pack, record it in the operational store, audited;
- ``schedule``: FTTCG meetings, which packs are due, idempotent ``due`` runs.

Reads the current snapshot and the operational store. May import ``toex.model``,
``toex.config``, ``toex.errors``, ``toex.engine``, ``toex.assess`` and ``toex.ops``; never
``toex.web`` or ``toex.cli``. Design and access rules: docs/publish.md.
"""
