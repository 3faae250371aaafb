"""Editorial work on both backends: versions with author and reason, diffs, reverts,
withdrawal and restoration, the errata; annotations and their moderation, carried by
the archive's export; the feed of what changed in what a reader follows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from declass.access import Audience, Clock
from declass.accounts.reader import ANONYMOUS, Reader
from declass.accounts.records import Role
from declass.accounts.users import add_user
from declass.annotations import threads
from declass.annotations.records import Visibility
from declass.editing import history
from declass.editing.errata import errata
from declass.errors import Conflict, Forbidden, NotFound, QueryError, StaleEdit, Unauthorized
from declass.follows import feed as feeds
from declass.follows.atom import atom_feed
from declass.model import (
    AccessLevel,
    Authority,
    AuthorityKind,
    Block,
    BlockKind,
    Collection,
    Document,
    DocumentType,
    Text,
    TextRole,
)
from declass.store import open_store
from declass.store.base import Store, Version
from declass.store.codec import content_hash
from declass.store.scoped import ScopedStore
from declass.store.transfer import export_archive, import_archive


def _doc(doc_id: str, *paragraphs: str, **kw: object) -> Document:
    text = Text("en", TextRole.ORIGINAL, tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs))
    return Document(
        doc_id,
        f"SYNTHETIC {doc_id}",
        DocumentType.MEMORANDUM,
        texts=(text,),
        collections=("c:one",),
        **kw,
    )  # type: ignore[arg-type]


def _people(store: Store) -> dict[str, Reader]:
    made = {}
    for name, role in (
        ("eddie", Role.EDITOR),
        ("rita", Role.RESEARCHER),
        ("paula", Role.RESEARCHER),
    ):
        made[name] = Reader(add_user(store, name, "a-long-enough-secret-1", role))
    return made


def test_versions_keep_author_reason_and_diff_and_revert_and_withdraw(store: Store) -> None:
    store.put_many(
        [
            Collection("c:one", "One"),
            _doc("d:a", "First text."),
            _doc("d:closed", "Closed.", access=AccessLevel.RESTRICTED),
        ]
    )
    a = store.document("d:a")
    history.save_document(store, replace(a, title="Corrected title"), 1, "eddie", "typo")
    with pytest.raises(QueryError):
        history.save_document(store, replace(a, title="No reason"), 2, "eddie", "  ")
    history.revert_document(store, "d:a", 1, 2, "eddie", "the old title was right")
    assert store.document("d:a").title == "SYNTHETIC d:a"
    entries = history.document_history(store, "d:a")
    assert [(e.number, e.action, e.author) for e in entries] == [
        (3, "revert", "eddie"),
        (2, "edit", "eddie"),
        (1, "ingest", ""),
    ]
    assert entries[0].reason == "revert to version 1: the old title was right"
    diff = history.document_diff(store, "d:a", 1, 2)
    assert [d.field for d in diff] == ["title"]
    assert "+Corrected title" in diff[0].lines
    # Withdrawn: a version, closed to all but staff; restored with the access it had.
    history.withdraw_document(store, "d:a", 3, "eddie", "under review")
    with pytest.raises(NotFound):
        ScopedStore(store, Audience.PUBLIC).document("d:a")
    with pytest.raises(Conflict):
        history.withdraw_document(store, "d:a", 4, "eddie", "again")
    history.restore_document(store, "d:a", 4, "eddie", "reviewed")
    assert store.document("d:a").access is AccessLevel.PUBLIC
    assert len(store.versions("d:a")) == 5  # nothing deleted, ever
    # The errata list corrections of published documents only, for readers who may see them.
    closed = store.document("d:closed")
    history.save_document(store, replace(closed, place="Geneva"), 1, "eddie", "closed fix")
    public = errata(store, ScopedStore(store, Audience.PUBLIC))
    assert [(e.doc_id, e.version) for e in public] == [("d:a", 3), ("d:a", 2)]
    assert [e.doc_id for e in errata(store, ScopedStore(store, Audience.STAFF))] == ["d:a", "d:a"]
    actions = [e.action for e in store.audit_log()]
    assert {"document.withdraw", "document.restore", "document.revert"} <= set(actions)


def test_authorities_and_collections_keep_their_history_too(store: Store) -> None:
    store.put_many(
        [Collection("c:one", "One"), Authority("person:x", AuthorityKind.PERSON, "X, Y")]
    )
    first = store.record_hash("authority", "person:x")
    changed = replace(
        store.authority("person:x"), description="A diplomat.", access=AccessLevel.RESTRICTED
    )
    second = history.save_record(store, changed, first, "eddie", "closed for now")
    with pytest.raises(StaleEdit):
        history.save_record(store, changed, first, "eddie", "made on the old state")
    assert [e.number for e in history.record_history(store, "authority", "person:x")] == [2, 1]
    with pytest.raises(NotFound):
        ScopedStore(store, Audience.PUBLIC).authority("person:x")
    history.revert_record(store, "authority", "person:x", 1, second, "eddie", "open again")
    assert store.authority("person:x").access is AccessLevel.PUBLIC


def test_annotations_are_shown_only_to_those_who_may_read_them(store: Store) -> None:
    store.put_many(
        [
            Collection("c:one", "One"),
            _doc("d:a", "The treaty was signed in Moscow.", "Second."),
            _doc("d:closed", "Closed.", access=AccessLevel.RESTRICTED),
        ]
    )
    people = _people(store)
    rita, paula, eddie = people["rita"], people["paula"], people["eddie"]
    scoped = {a: ScopedStore(store, a) for a in Audience}

    def seen(reader: Reader) -> list[str]:
        found = threads.threads(store, scoped[reader.audience], reader, "d:a")
        return [t.root.body for t in found] + [r.body for t in found for r in t.replies]

    with pytest.raises(Unauthorized):
        threads.annotate(store, scoped[Audience.PUBLIC], ANONYMOUS, "d:a", 0, 0, "treaty", "x")
    with pytest.raises(NotFound):
        threads.annotate(store, scoped[Audience.REGISTERED], rita, "d:closed", 0, 0, "", "x")
    with pytest.raises(QueryError):
        threads.annotate(store, scoped[Audience.REGISTERED], rita, "d:a", 0, 0, "not there", "x")
    root = threads.annotate(
        store, scoped[Audience.REGISTERED], rita, "d:a", 0, 0, "signed in Moscow", "Where exactly?"
    )
    assert (root.start, root.end, root.quote) == (15, 31, "signed in Moscow")
    threads.annotate(
        store,
        scoped[Audience.REGISTERED],
        paula,
        "d:a",
        0,
        1,
        "",
        "My own note.",
        Visibility.PRIVATE,
    )
    threads.reply(store, scoped[Audience.REGISTERED], paula, root.id, "In the Kremlin.")
    assert seen(ANONYMOUS) == ["Where exactly?", "In the Kremlin."]
    assert seen(paula) == ["Where exactly?", "My own note.", "In the Kremlin."]
    assert "My own note." not in seen(eddie)  # private means private
    threads.report(store, scoped[Audience.REGISTERED], paula, root.id, "off topic")
    with pytest.raises(Forbidden):
        threads.set_hidden(store, rita, root.id, True)
    threads.set_hidden(store, eddie, root.id, True, "reported")
    assert "Where exactly?" not in seen(ANONYMOUS) and "Where exactly?" in seen(eddie)
    assert not store.reports()  # resolved by hiding
    threads.set_hidden(store, eddie, root.id, False)
    threads.set_locked(store, eddie, root.id, True)
    with pytest.raises(Conflict):
        threads.reply(store, scoped[Audience.REGISTERED], rita, root.id, "Too late.")
    # Closing the document closes its discussion.
    doc = store.document("d:a")
    history.save_document(store, replace(doc, access=AccessLevel.RESTRICTED), 1, "eddie", "closed")
    assert seen(ANONYMOUS) == [] and seen(rita) == []
    assert seen(eddie)


def test_annotations_travel_with_the_archive(store: Store, tmp_path: Path) -> None:
    store.put_many([Collection("c:one", "One"), _doc("d:a", "Text.")])
    people = _people(store)
    scoped = ScopedStore(store, Audience.REGISTERED)
    root = threads.annotate(store, scoped, people["rita"], "d:a", 0, 0, "Text", "A remark.")
    threads.reply(store, scoped, people["paula"], root.id, "A reply.")
    history.save_document(store, replace(store.document("d:a"), place="Bonn"), 1, "eddie", "place")
    export_archive(store, tmp_path / "a.jsonl.gz")
    other = open_store(tmp_path / "other" / "archive.sqlite3")
    try:
        counts = import_archive(other, tmp_path / "a.jsonl.gz")
        assert counts["annotation"] == 2 and counts["edit"] == 1
        found = threads.threads(other, ScopedStore(other, Audience.PUBLIC), ANONYMOUS, "d:a")
        assert [(t.root.body, [r.body for r in t.replies]) for t in found] == [
            ("A remark.", ["A reply."])
        ]
        assert [(e.author, e.reason) for e in other.edits("document", "d:a")] == [
            ("eddie", "place")
        ]
    finally:
        other.close()


def test_the_feed_tells_what_was_added_opened_and_corrected_in_what_one_follows(
    store: Store,
) -> None:
    tomorrow = date.today() + timedelta(days=1)
    store.put_many([Collection("c:one", "One"), Collection("c:two", "Two")])
    old = _doc("d:old", "The treaty text.")
    stored = Version(1, content_hash(old), None, "2020-01-01T00:00:00+00:00", "")
    store.restore_version(old, stored)  # added long before the reader last looked
    rita = _people(store)["rita"]
    clock = Clock()
    scoped = ScopedStore(store, Audience.REGISTERED, clock)
    feeds.follow_collection(store, scoped, rita, "c:one")
    feeds.follow_search(store, rita, "treaty", [])
    with pytest.raises(NotFound):
        feeds.follow_collection(store, scoped, rita, "c:none")
    past = "2021-01-01T00:00:00+00:00"  # the reader last looked after d:old came
    for f in store.follows(rita.account.id):  # type: ignore[union-attr]
        store.update_follow(replace(f, seen_at=past))
    store.put_many(
        [
            _doc("d:new", "A new treaty."),
            _doc("d:embargoed", "Opens tomorrow.", embargo_until=tomorrow),
            replace(_doc("d:elsewhere", "Nothing to do with it."), collections=("c:two",)),
        ]
    )
    history.save_document(
        store, replace(store.document("d:old"), place="Paris"), 1, "eddie", "place"
    )
    today = clock.today().isoformat()
    items = {(i.doc_id, i.change) for i in feeds.feed(store, scoped, rita, today)}
    assert items == {("d:new", "added"), ("d:old", "corrected")}
    clock.advance(1)
    items = {
        (i.doc_id, i.change) for i in feeds.feed(store, scoped, rita, clock.today().isoformat())
    }
    assert ("d:embargoed", "opened") in items and ("d:embargoed", "added") in items
    found = feeds.feed(store, scoped, rita, clock.today().isoformat())
    atom = etree.fromstring(atom_feed(found, "What changed", "http://x/feed/k.atom", "http://x/"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = atom.xpath("//a:entry/a:title/text()", namespaces=ns)
    assert "Opened (embargo lifted): SYNTHETIC d:embargoed" in titles
    feeds.mark_seen(store, rita, clock.now())
    assert feeds.feed(store, scoped, rita, clock.today().isoformat()) == []


@pytest.mark.parametrize("audience", [Audience.PUBLIC])
def test_oai_pmh_serves_open_records_and_answers_errors(store: Store, audience: Audience) -> None:
    from declass.oai import respond

    store.put_many(
        [
            Collection("c:one", "One"),
            _doc("d:a", "Open."),
            _doc("d:closed", "Closed.", access=AccessLevel.RESTRICTED),
        ]
    )
    scoped = ScopedStore(store, audience)
    ns = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}

    def ask(**params: str) -> etree._Element:
        return etree.fromstring(
            respond(scoped, {k: [v] for k, v in params.items()}, "http://x/oai")
        )

    ids = ask(verb="ListIdentifiers", metadataPrefix="oai_dc").xpath(
        "//o:identifier/text()", namespaces=ns
    )
    assert ids == ["oai:declass:d:a"]
    record = ask(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:declass:d:a")
    assert record.xpath("//dc:title/text()", namespaces=ns) == ["SYNTHETIC d:a"]
    for params, code in (
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:declass:d:closed"},
            "idDoesNotExist",
        ),
        ({"verb": "Nonsense"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "resumptionToken": "???"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
    ):
        assert ask(**params).xpath("//o:error/@code", namespaces=ns) == [code], params
    sets = ask(verb="ListSets").xpath("//o:setSpec/text()", namespaces=ns)
    assert sets == ["c:one"]
