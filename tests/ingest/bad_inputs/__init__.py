"""A corpus of broken export files (``corpus.py`` builds them) and what ingest must say."""
