"""Who may read what: anonymous readers see public documents whose embargo has passed.

Search already leaves the others out (the store's default `include_restricted=False`);
everything the reading room loads by id goes through `require_readable`.
"""

from __future__ import annotations

from datetime import date

from declass.errors import Forbidden
from declass.model import AccessLevel, Document


def readable(doc: Document, today: date | None = None) -> bool:
    """Whether an anonymous reader may see `doc` today."""
    day = today or date.today()
    return doc.access is AccessLevel.PUBLIC and (
        doc.embargo_until is None or doc.embargo_until <= day
    )


def require_readable(doc: Document) -> Document:
    """`doc`, or Forbidden when an anonymous reader may not see it."""
    if not readable(doc):
        raise Forbidden(f"document {doc.id!r} is not open to anonymous readers")
    return doc
