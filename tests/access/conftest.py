"""Archives for the leak tests: real public documents and closed material that shares
their words, names and collections.

Real: three FRUS-history documents and two relations essays (public), the 1970 visits
(public events), and Kennan's 1957 letters, closed by an ingest rule ("everything in
this folder is restricted until 2030"). SYNTHETIC (made here, marked so): a restricted
memorandum, an embargoed one, one open to registered readers, a withdrawn one, a
public memorandum in a restricted collection naming a restricted person, a public
document whose original is closed while its translation is open (with a closed note),
a collection all of whose documents are closed, a restricted visit, annotations
(public, private, hidden, and one on a closed document), and edits.

Each variant is the same archive as one audience should see it: `full` holds
everything; `public` only what an anonymous reader may see (built directly, never
through the access code under test); `registered` that plus what registered
researchers may read. A route answered from `full` must say exactly what the same
route says from the audience's own variant.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from declass.accounts.records import Role
from declass.accounts.users import add_user
from declass.annotations.records import Annotation, Visibility
from declass.archive import Archive, Config
from declass.backup import backup
from declass.editing import history
from declass.ingest.access_rules import load_rules
from declass.model import (
    AccessLevel,
    Authority,
    AuthorityKind,
    Block,
    BlockKind,
    Collection,
    CountryRef,
    Document,
    DocumentType,
    Event,
    EventKind,
    HistoricalDate,
    NameVariant,
    Note,
    NoteAnchor,
    NoteKind,
    Participant,
    ParticipantRole,
    Text,
    TextRole,
)
from declass.persons import link_persons

PUBLIC_FILES = (
    "1958-11-03-noble-to-osborne.xml",
    "1963-11-01-hac-meeting-minutes.xml",
    "1972-09-22-kogan-to-franklin.xml",
)
CLOSED_FILE = "1957-03-21-kennan-to-leopold.xml"  # four letters: closed by rule
ESSAYS = ("russia.xml", "soviet-union.xml")
PASSWORDS = {
    "rita": "reads-the-record-1",
    "paula": "annotates-passages-1",
    "eddie": "corrects-the-text-1",
    "ada": "keeps-the-accounts-1",
}
ROLES = {"rita": Role.RESEARCHER, "paula": Role.RESEARCHER, "eddie": Role.EDITOR, "ada": Role.ADMIN}

# What an anonymous reader must never meet, anywhere (compared case-blind).
CLOSED_TO_PUBLIC = (
    "qzalpha",  # the restricted memorandum's title word
    "marmaladeorb",  # a word only it holds
    "secretovich",  # a spelling only it uses
    "qzbeta",
    "embargolium",
    "qzgamma",  # registered readers' memorandum
    "registrandum",
    "qzeta",
    "withdrawnium",
    "qzdelta",  # the collection of closed documents
    "qzmu",  # the restricted collection
    "synthetic-restricted",
    "synthetic-closed",
    "qzlambda",  # the restricted person's biography
    "person:synthetic-secret",
    "qznu",  # the restricted visit
    "synthetic:visit-secret",
    "qzkappa",  # an editor's reason on a closed document
    "qztheta",  # paula's private annotation
    "qziota",  # a hidden annotation
    "qzxi",  # an annotation on a closed document
    "qzzeta",  # a closed note on an open document
    "секретиссимо",  # the closed original of an open translation
    "synthetic:alpha",
    "synthetic:beta",
    "synthetic:gamma",
    "synthetic:eta",
    "1957-03-21-kennan-to-leopold",  # the documents closed by the ingest rule
    "leopold to george f. kennan",
)
REGISTERED_MAY_SEE = ("qzgamma", "registrandum", "synthetic:gamma")
CLOSED_TO_REGISTERED = tuple(m for m in CLOSED_TO_PUBLIC if m not in REGISTERED_MAY_SEE)


@dataclass
class LeakArchive:
    variant: str
    archive: Archive
    ids: dict[str, str]
    pristine: Path  # a copy as built, before any test's requests (declass backup)


def _text(language: str, role: TextRole, *paragraphs: str, **extra: object) -> Text:
    blocks = tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs)
    return Text(language, role, blocks, **extra)  # type: ignore[arg-type]


def _memo(doc_id: str, title: str, body: str, **extra: object) -> Document:
    fields: dict[str, object] = {
        "doc_type": DocumentType.MEMORANDUM,
        "texts": (_text("en", TextRole.ORIGINAL, body, "Gromyko met Kennan about the treaty."),),
        "date": HistoricalDate.parse("1965-05-05"),
        "participants": (Participant("Andrei Gromyko", ParticipantRole.AUTHOR),),
        "countries": (CountryRef("RUS", "USSR"),),
        "collections": ("rdcr",),
    }
    fields.update(extra)
    return Document(id=doc_id, title=title, **fields)  # type: ignore[arg-type]


def _copy(corpora: Path, folder: Path, full: bool) -> tuple[list[Path], Path]:
    hsg = corpora / "hsg"
    (folder / "pub" / "frus-history").mkdir(parents=True)
    (folder / "pub" / "rdcr").mkdir(parents=True)
    (folder / "pub" / "visits" / "data").mkdir(parents=True)
    for name in PUBLIC_FILES:
        shutil.copy(hsg / "frus-history" / "documents" / name, folder / "pub" / "frus-history")
    for name in ESSAYS:
        shutil.copy(hsg / "rdcr" / "articles" / name, folder / "pub" / "rdcr")
    shutil.copy(hsg / "visits" / "data" / "1970.xml", folder / "pub" / "visits" / "data")
    rules = folder / "access-rules.yaml"
    rules.write_text(
        "rules:\n  - path: closed/\n    access: restricted\n    embargo_until: 2030-01-01\n"
    )
    paths = [folder / "pub"]
    if full:
        (folder / "closed").mkdir()
        shutil.copy(hsg / "frus-history" / "documents" / CLOSED_FILE, folder / "closed")
        paths.append(folder / "closed")
    return paths, rules


def build(corpora: Path, folder: Path, variant: str) -> LeakArchive:
    """One variant of the leak archive (see the module doc)."""
    full = variant == "full"
    registered = variant in ("full", "registered")
    paths, rules = _copy(corpora, folder / "corpus", full)
    archive = Archive(Config(home=folder, db=str(folder / "archive.sqlite3")))
    result = archive.ingest(paths, rules=load_rules(rules))
    assert not result.rejections, result.rejections
    store = archive.store
    for name, password in PASSWORDS.items():
        add_user(store, name, password, ROLES[name])

    open_person = Authority(
        "person:synthetic-open",
        AuthorityKind.PERSON,
        "Persona, Open",
        variants=(NameVariant("Personova, Opena"),),
        description="SYNTHETIC",
    )
    records: list[object] = [open_person]
    bilingual_texts = [
        _text("en", TextRole.TRANSLATION, "SYNTHETIC open translation of a closed original."),
    ]
    bilingual_notes: list[Note] = [
        Note(NoteKind.FOOTNOTE, "An open note.", "1", NoteAnchor(0, 0, 5))
    ]
    open_collections: tuple[str, ...] = ("rdcr",)
    hidden_named = Participant("Hiddenname Obscurus", ParticipantRole.MENTIONED)
    if full:
        secret_person = Authority(
            "person:synthetic-secret",
            AuthorityKind.PERSON,
            "Obscurus, Hiddenname",
            description="SYNTHETIC restricted biography qzlambda",
            access=AccessLevel.RESTRICTED,
        )
        hidden_named = replace(hidden_named, authority_id=secret_person.id)
        original = _text(
            "ru",
            TextRole.ORIGINAL,
            "СИНТЕТИКА: секретиссимо оригинал.",
            access=AccessLevel.RESTRICTED,
        )
        bilingual_texts.insert(0, original)
        bilingual_notes = [
            Note(
                NoteKind.FOOTNOTE,
                "SYNTHETIC closed note qzzeta",
                "1",
                NoteAnchor(0, 0, 3),
                access=AccessLevel.RESTRICTED,
            ),
            replace(bilingual_notes[0], anchor=NoteAnchor(1, 0, 5)),
        ]
        open_collections = ("rdcr", "synthetic-restricted")
        records += [
            secret_person,
            Collection("synthetic-closed", "SYNTHETIC closed collection qzdelta"),
            Collection(
                "synthetic-restricted",
                "SYNTHETIC restricted collection qzmu",
                access=AccessLevel.RESTRICTED,
            ),
            _memo(
                "synthetic:alpha",
                "SYNTHETIC restricted memorandum qzalpha",
                # Kennon: a near miss of the open Kennan; Opena Personova: a recorded
                # spelling of an open person that only this closed memorandum uses.
                "Marmaladeorb Gromyko zanzibarite words: Kennon met Opena Personova.",
                access=AccessLevel.RESTRICTED,
                collections=("rdcr", "synthetic-closed"),
                participants=(Participant("Andrei Secretovich", ParticipantRole.AUTHOR),),
            ),
            _memo(
                "synthetic:beta",
                "SYNTHETIC embargoed memorandum qzbeta",
                "Embargolium treaty words.",
                embargo_until=date(2999, 1, 1),
                collections=("rdcr", "synthetic-closed"),
            ),
            _memo("synthetic:eta", "SYNTHETIC withdrawn memorandum qzeta", "Withdrawnium words."),
            Event(
                "synthetic:visit-secret",
                EventKind.VISIT,
                HistoricalDate.parse("1965-06-01"),
                "SYNTHETIC restricted visit qznu",
                people=(
                    Participant(
                        "Hiddenname Obscurus", ParticipantRole.PARTICIPANT, secret_person.id
                    ),
                ),
                countries=(CountryRef("USA", "United States"),),
                access=AccessLevel.RESTRICTED,
            ),
        ]
    if registered:
        records.append(
            _memo(
                "synthetic:gamma",
                "SYNTHETIC registered memorandum qzgamma",
                "Registrandum treaty words.",
                access=AccessLevel.REGISTERED,
            )
        )
    records += [
        Document(
            "synthetic:open-bilingual",
            "SYNTHETIC bilingual memorandum",
            DocumentType.MEMORANDUM,
            texts=tuple(bilingual_texts),
            notes=tuple(bilingual_notes),
            date=HistoricalDate.parse("1966-02-02"),
            collections=("rdcr",),
        ),
        _memo(
            "synthetic:open-memo",
            "SYNTHETIC public memorandum on the treaty",
            "An open paragraph about the treaty and Gromyko.",
            collections=open_collections,
            participants=(
                Participant("Open Persona", ParticipantRole.AUTHOR, open_person.id),
                hidden_named,
            ),
        ),
    ]
    store.put_many(records)  # type: ignore[arg-type]
    link_persons(store)

    # The same public edit and discussion in every variant, in the same order.
    current = store.document("synthetic:open-memo")
    history.save_document(
        store, replace(current, place="Moscow"), 1, "eddie", "the place was missing"
    )
    store.add_annotation(
        Annotation(0, "synthetic:open-memo", 0, 0, 8, 17, "paragraph", "A public remark.", "paula")
    )
    if full:
        alpha = store.document("synthetic:alpha")
        history.save_document(
            store, replace(alpha, place="Geneva"), 1, "eddie", "SYNTHETIC reason qzkappa"
        )
        history.withdraw_document(store, "synthetic:eta", 1, "eddie", "withdrawn for review")
        store.add_annotation(
            Annotation(
                0,
                "synthetic:open-memo",
                0,
                0,
                0,
                2,
                "An",
                "SYNTHETIC qztheta",
                "paula",
                Visibility.PRIVATE,
            )
        )
        hidden = store.add_annotation(
            Annotation(0, "synthetic:open-memo", 0, 0, 0, 2, "An", "SYNTHETIC qziota", "paula")
        )
        store.update_annotation(replace(hidden, hidden=True))
        store.add_annotation(
            Annotation(0, "synthetic:alpha", 0, 0, 0, 5, "Marma", "SYNTHETIC qzxi", "eddie")
        )
    pristine = backup(archive.config.db, folder / "pristine").folder / "archive.sqlite3"
    return LeakArchive(variant, archive, {"open": "synthetic:open-memo"}, pristine)


@pytest.fixture(scope="session")
def leak_archives(
    corpora: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, LeakArchive]]:
    """The three variants, built once a session (read-only for the tests)."""
    variants = ("full", "public", "registered")
    built = {v: build(corpora, tmp_path_factory.mktemp(f"leak-{v}"), v) for v in variants}
    yield built
    for b in built.values():
        b.archive.close()
