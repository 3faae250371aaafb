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


class NotFound(DeclassError):
    pass


class Forbidden(DeclassError):
    pass


class Conflict(DeclassError):
    pass
