"""The ``toex`` command line: thin Typer commands, each one call into a stage package.

May import every other toex package; nothing imports it. Errors from
:mod:`toex.errors` become exit codes in one place (:func:`toex.cli.app.main`).
"""
