"""One exception hierarchy for toex.

Every error toex raises on purpose derives from :class:`ToexError`. Each class knows the
HTTP status the web app answers with and the exit code the CLI returns, so one handler in
``toex.web`` and one in ``toex.cli`` turn them into responses::

    ToexError                      exit 1   HTTP 500
    ├── ConfigError                exit 2   HTTP 500   bad settings or catalogue
    ├── InputError                 exit 3   HTTP 400   bad input data (structural)
    │   ├── ReadError              exit 3   HTTP 400   a file cannot be read as its format
    │   ├── MappingError           exit 3   HTTP 400   a mapping YAML is invalid
    │   ├── ValueCleaningError     exit 3   HTTP 400   one value cannot be cleaned
    │   └── IngestIncompleteError  exit 8   HTTP 422   files were quarantined whole; the rest
    │                                                  of the run was loaded
    ├── PipelineError              exit 4   HTTP 500   a stage failed; current snapshot kept
    │   ├── ReconciliationError    exit 4   HTTP 500   rows read != loaded + quarantined
    │   ├── SnapshotError          exit 4   HTTP 503   no usable warehouse snapshot
    │   └── DataDirBusyError       exit 7   HTTP 409   another command holds the data dir
    ├── NotFoundError              exit 5   HTTP 404   a named record does not exist
    └── AccessDeniedError          exit 6   HTTP 403   the user may not see or do this

Bad *values* are not errors: cleaners turn them into null with a reason that is kept and
counted. Bad *structure* (a missing required column, an unknown mapping field, an unreadable
file) raises one of these, with a message naming the file, row and field where known.
"""

from __future__ import annotations


class ToexError(Exception):
    """Base of every error toex raises on purpose."""

    exit_code: int = 1
    http_status: int = 500


class ConfigError(ToexError):
    """Settings, the force catalogue or another configuration file is invalid."""

    exit_code = 2


class InputError(ToexError):
    """Input data is structurally unusable."""

    exit_code = 3
    http_status = 400


def _where(file: str | None, row: int | None, field: str | None) -> str:
    parts = []
    if file is not None:
        parts.append(f"{file}")
    if row is not None:
        parts.append(f"row {row}")
    if field is not None:
        parts.append(f"field {field!r}")
    return ", ".join(parts)


class ReadError(InputError):
    """A file cannot be read as the format it claims to be.

    ``code`` is the machine-readable reason a file quarantined whole is logged with
    (``empty_file``, ``binary``, ``unbalanced_quote``...).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        code: str = "unreadable_file",
    ) -> None:
        self.file, self.row, self.field, self.code = file, row, field, code
        where = _where(file, row, field)
        super().__init__(f"{where}: {message}" if where else message)


class MappingError(InputError):
    """A mapping YAML is invalid, or does not fit the file it is applied to."""

    def __init__(
        self, message: str, *, mapping: str | None = None, field: str | None = None
    ) -> None:
        self.mapping, self.field = mapping, field
        where = _where(mapping, None, field)
        super().__init__(f"{where}: {message}" if where else message)


class ValueCleaningError(InputError):
    """A single value cannot be cleaned (raised only where a caller asks for strictness)."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.row, self.field, self.value = row, field, value
        where = _where(None, row, field)
        super().__init__(f"{where}: {message}" if where else message)


class IngestIncompleteError(InputError):
    """Some files were quarantined whole; every other file was loaded and the run finished.

    Raised by the CLI after it printed the run's report, so that the exit code says a file
    needs attention (``--strict`` aborts at the first bad file instead).
    """

    exit_code = 8
    http_status = 422


class PipelineError(ToexError):
    """A pipeline stage failed; the current snapshot is left as it was."""

    exit_code = 4


class ReconciliationError(PipelineError):
    """Rows read do not equal rows loaded plus rows quarantined for some file."""


class SnapshotError(PipelineError):
    """No usable warehouse snapshot exists, or one cannot be switched to."""

    http_status = 503


class DataDirBusyError(PipelineError):
    """Another command holds the data directory's lock (``<data_dir>/run.lock``)."""

    exit_code = 7
    http_status = 409


class NotFoundError(ToexError):
    """A named record (person, mention, network, user...) does not exist."""

    exit_code = 5
    http_status = 404


class AccessDeniedError(ToexError):
    """The user may not see or do this."""

    exit_code = 6
    http_status = 403
