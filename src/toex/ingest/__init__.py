"""Ingest: force and partner exports into the staged POLE tables, with nothing lost.

Holds the readers (CSV, JSON Lines, XLSX, Parquet; ``readers/``), the YAML mappings and their
validation (``mapping.py``, shipped ones in ``mappings/``), set-wise value cleaners
(``cleaners/``), the SQL builders of a load (``staging_sql.py``), the loader that writes
staged rows, quarantine, value issues and the load log (``loader.py``), file discovery
(``discovery.py``), ``mapping check`` (``check.py``), reconciliation reports (``report.py``)
and whole-directory ingest (``stage.py``). ``docs/ingest.md`` is the user's guide.

May import ``toex.model``, ``toex.engine``, ``toex.config`` and ``toex.errors``.
"""
