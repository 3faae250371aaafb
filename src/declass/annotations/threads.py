"""Annotations and discussion: researchers comment on a passage of a document and
reply to one another; moderators hide, lock and read reports.

An annotation is anchored to a passage as the reader sees it (text, paragraph, the
words quoted) and stored against the document's own text numbering, so that a text
closed to some readers shifts nothing. Nobody is shown an annotation on a document
(or a text) they cannot read; private ones are shown to their author alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from declass.access import text_index_map
from declass.accounts.reader import Reader
from declass.accounts.users import audit
from declass.annotations.records import Annotation, Report, Visibility
from declass.errors import Conflict, Forbidden, NotFound, QueryError, Unauthorized
from declass.store.base import Store

MAX_BODY = 10_000


@dataclass(frozen=True)
class Thread:
    """A root annotation as the reader sees it (text index among the texts shown)
    and its replies, oldest first."""

    root: Annotation
    text_index: int
    replies: tuple[Annotation, ...] = field(default=())


def _body(text: str) -> str:
    text = text.strip()
    if not text:
        raise QueryError(0, "an annotation needs some words")
    if len(text) > MAX_BODY:
        raise QueryError(0, f"an annotation may have at most {MAX_BODY} characters")
    return text


def _writer(reader: Reader) -> str:
    if not reader.signed_in:
        raise Unauthorized("sign in to annotate")
    return reader.name


def _seen_by(a: Annotation, reader: Reader) -> bool:
    if a.visibility is Visibility.PRIVATE:
        return a.author == reader.name and reader.signed_in
    return not a.hidden or reader.is_staff


def annotate(
    store: Store,
    reader_store: Store,
    reader: Reader,
    doc_id: str,
    text_index: int,
    block_index: int,
    quote: str,
    body: str,
    visibility: Visibility = Visibility.PUBLIC,
    today: date | None = None,
) -> Annotation:
    """Anchor a new annotation to the words `quote` in paragraph `block_index` of the
    reader's text `text_index` (its first occurrence; the whole paragraph when no
    words are given)."""
    author = _writer(reader)
    doc = reader_store.document(doc_id)  # NotFound when the reader cannot read it
    if not 0 <= text_index < len(doc.texts) or not 0 <= block_index < len(
        doc.texts[text_index].blocks
    ):
        raise QueryError(0, "no such passage in this document")
    block = doc.texts[text_index].blocks[block_index]
    quote = " ".join(quote.split())
    flat = " ".join(block.text.split())
    if quote:
        start = flat.find(quote)
        if start < 0:
            raise QueryError(0, "the quoted words are not in that paragraph")
    else:
        start, quote = 0, flat
    stored = {
        new: old
        for old, new in text_index_map(
            store.document(doc_id), reader.audience, today or date.today()
        ).items()
    }
    made = store.add_annotation(
        Annotation(
            id=0,
            doc_id=doc_id,
            text_index=stored.get(text_index, text_index),
            block_index=block_index,
            start=start,
            end=start + len(quote),
            quote=quote,
            body=_body(body),
            author=author,
            visibility=visibility,
        )
    )
    audit(store, author, "annotation.add", f"{doc_id}#{made.id}", visibility.value)
    return made


def reply(
    store: Store, reader_store: Store, reader: Reader, parent_id: int, body: str
) -> Annotation:
    """Answer an annotation (in its thread, anchored where it is)."""
    author = _writer(reader)
    parent = visible_annotation(store, reader_store, reader, parent_id)
    root = parent if parent.parent is None else store.annotation(parent.parent)
    if root.locked and not reader.is_staff:
        raise Conflict("this discussion is closed to replies")
    made = store.add_annotation(
        replace(
            root,
            id=0,
            parent=root.id,
            body=_body(body),
            author=author,
            hidden=False,
            locked=False,
            created_at="",
            updated_at="",
        )
    )
    audit(store, author, "annotation.reply", f"{root.doc_id}#{made.id}", str(root.id))
    return made


def visible_annotation(
    store: Store, reader_store: Store, reader: Reader, annotation_id: int
) -> Annotation:
    """The annotation, if the reader may see it and its document; NotFound otherwise."""
    try:
        a = store.annotation(annotation_id)
    except NotFound:
        a = None
    if a is None or not _seen_by(a, reader) or not reader_store.document_access([a.doc_id]):
        raise NotFound(f"no annotation {annotation_id}")
    return a


def threads(
    store: Store, reader_store: Store, reader: Reader, doc_id: str, today: date | None = None
) -> list[Thread]:
    """The discussion of a document as `reader` may see it: nothing when the document
    is closed to them, nothing on texts closed to them."""
    if not reader_store.document_access([doc_id]):
        return []
    shown = text_index_map(store.document(doc_id), reader.audience, today or date.today())
    found = [a for a in store.annotations(doc_id) if _seen_by(a, reader) and a.text_index in shown]
    # Threads in the order of the passages they comment on, down the text.
    roots = sorted(
        (a for a in found if a.parent is None),
        key=lambda a: (shown[a.text_index], a.block_index, a.start, a.created_at),
    )
    replies: dict[int, list[Annotation]] = {}
    for a in found:
        if a.parent is not None:
            replies.setdefault(a.parent, []).append(a)
    return [Thread(r, shown[r.text_index], tuple(replies.get(r.id, ()))) for r in roots]


def _moderator(reader: Reader) -> str:
    if not reader.is_staff:
        raise Forbidden("only editors moderate the discussion")
    return reader.name


def set_hidden(
    store: Store, reader: Reader, annotation_id: int, hidden: bool, reason: str = ""
) -> Annotation:
    who = _moderator(reader)
    a = store.annotation(annotation_id)
    changed = replace(a, hidden=hidden, updated_at="")
    store.update_annotation(changed)
    if hidden:
        store.resolve_reports(annotation_id)
    audit(
        store, who, "annotation.hide" if hidden else "annotation.show", f"{a.doc_id}#{a.id}", reason
    )
    return store.annotation(annotation_id)


def set_locked(store: Store, reader: Reader, annotation_id: int, locked: bool) -> Annotation:
    who = _moderator(reader)
    a = store.annotation(annotation_id)
    root = a if a.parent is None else store.annotation(a.parent)
    store.update_annotation(replace(root, locked=locked, updated_at=""))
    audit(
        store, who, "annotation.lock" if locked else "annotation.unlock", f"{root.doc_id}#{root.id}"
    )
    return store.annotation(root.id)


def report(
    store: Store, reader_store: Store, reader: Reader, annotation_id: int, reason: str
) -> Report:
    """A reader flags an annotation for the moderators."""
    who = _writer(reader)
    a = visible_annotation(store, reader_store, reader, annotation_id)
    made = store.add_report(Report(0, a.id, who, _body(reason)[:1000]))
    audit(store, who, "annotation.report", f"{a.doc_id}#{a.id}")
    return made
