"""Collection overviews (counts and date spans), run against every backend."""

from __future__ import annotations

from datetime import date

from declass.model import AccessLevel, Document, DocumentType, HistoricalDate
from declass.store.base import CollectionSpan, Store


def _doc(doc_id: str, when: str | None, collections: tuple[str, ...], **extra: object) -> Document:
    """SYNTHETIC: a bare document in `collections`."""
    return Document(
        id=doc_id,
        title=doc_id,
        doc_type=DocumentType.MEMORANDUM,
        date=HistoricalDate.parse(when) if when else None,
        collections=collections,
        **extra,  # type: ignore[arg-type]
    )


def test_spans_count_each_collection_and_its_earliest_and_latest_days(store: Store) -> None:
    store.put_many(
        [
            _doc("t:a", "1949-12-16", ("c1",)),
            _doc("t:b", "1950", ("c1", "c2")),  # a whole year ends on December 31
            _doc("t:c", None, ("c2",)),  # undated: counted, no span
            _doc("t:d", None, ("c3",)),
        ]
    )
    spans = {s.collection_id: s for s in store.collection_spans()}
    assert spans["c1"] == CollectionSpan("c1", 2, "1949-12-16", "1950-12-31")
    assert spans["c2"] == CollectionSpan("c2", 2, "1950-01-01", "1950-12-31")
    assert spans["c3"] == CollectionSpan("c3", 1, "", "")


def test_spans_leave_out_what_an_anonymous_reader_may_not_see(store: Store) -> None:
    store.put_many(
        [
            _doc("t:open", "1960-01-01", ("c",)),
            _doc("t:closed", "1990-01-01", ("c",), access=AccessLevel.RESTRICTED),
            _doc("t:later", "1995-01-01", ("c",), embargo_until=date(2999, 1, 1)),
        ]
    )
    (public,) = store.collection_spans()
    assert (public.documents, public.earliest, public.latest) == (1, "1960-01-01", "1960-01-01")
    (everything,) = store.collection_spans(include_restricted=True)
    assert (everything.documents, everything.latest) == (3, "1995-01-01")
