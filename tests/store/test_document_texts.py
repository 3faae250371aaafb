"""`Store.document_texts`: what a snippet reads, without decoding whole records."""

from __future__ import annotations

from dataclasses import replace

from declass.store.base import Store
from tests.store.test_store import memcon


def test_document_texts_are_each_texts_plain_text_in_order(store: Store) -> None:
    doc = memcon()
    other = replace(doc, id="test:memcon-2", texts=doc.texts[1:])
    store.put_many([doc, other])
    texts = store.document_texts([other.id, doc.id, "test:nowhere", doc.id])
    assert texts == {
        doc.id: [t.plain for t in doc.texts],
        other.id: [doc.texts[1].plain],
    }
    assert texts[doc.id][0] == "Запись беседы\n\nТекст."


def test_document_texts_follow_the_current_version(store: Store) -> None:
    doc = memcon()
    store.put(doc)
    newer = replace(doc, texts=doc.texts[1:])
    store.put(newer)
    assert store.document_texts([doc.id]) == {doc.id: [newer.texts[0].plain]}
    assert store.document_texts([]) == {}
