"""Operations on a whole data directory, above the stages: erasure (find, register, apply
to every run), backup and restore.

May import every stage package, ``toex.engine``, ``toex.ops``, ``toex.model``,
``toex.config`` and ``toex.errors``; only ``toex.pipeline`` and ``toex.cli`` import it.
"""
