"""The one error hierarchy: every failure a user can meet is a DeclassError."""

from __future__ import annotations


class DeclassError(Exception):
    """Base of all errors declass reports to a user."""


class IngestError(DeclassError):
    """A source could not be read: names the file, the place in it and why."""

    def __init__(self, path: str, position: str, reason: str) -> None:
        self.path, self.position, self.reason = path, position, reason
        where = f"{path}, {position}" if position else path
        super().__init__(f"{where}: {reason}")


class QueryError(DeclassError):
    def __init__(self, position: int, reason: str) -> None:
        self.position, self.reason = position, reason
        super().__init__(f"at position {position}: {reason}")


class StorageError(DeclassError):
    """The catalogue refused a write: a value its schema cannot hold (a number too
    large, text that is not Unicode, a key it rejects). Nothing of the write is kept.

    `record_id` names the record when the write held one; a batch names none.
    """

    def __init__(self, record_id: str | None, reason: str) -> None:
        self.record_id, self.reason = record_id, reason
        super().__init__(f"record {record_id}: {reason}" if record_id is not None else reason)


class NotFound(DeclassError):
    pass


class Forbidden(DeclassError):
    pass


class Conflict(DeclassError):
    pass


class StaleEdit(Conflict):
    """An edit made on a version that is no longer current: nothing was written."""

    def __init__(self, record_id: str, current: str) -> None:
        self.record_id, self.current = record_id, current
        super().__init__(
            f"{record_id} was changed by someone else since you opened it (now {current});"
            " nothing was saved"
        )


class PreconditionRequired(DeclassError):
    """A change sent without saying which version it was made on (If-Match)."""


class Unauthorized(DeclassError):
    """The request needs a signed-in reader (or an API token)."""


class TooManyRequests(DeclassError):
    """Too many requests of a costly kind (or sign-in attempts) in a short time."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
