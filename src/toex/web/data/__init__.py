"""The web app's read queries over the warehouse snapshot, every one access-filtered.

Access rules are applied in ONE place, :mod:`toex.web.data.filters`: it defines the
visible views (``v_mention``, ``v_event``, ``v_object``, ``v_location``) as a ``WITH`` clause
built from the user's :class:`~toex.ops.access.AccessScope`. The query modules
(:mod:`search`, :mod:`persons`, :mod:`network`, :mod:`lists`) select only from those views,
never from a ``staged_*`` table directly (a test checks this), so a record outside the scope
cannot reach a page, an export or the API, not even as a count.
"""
