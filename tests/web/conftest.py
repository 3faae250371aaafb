"""A session-wide reading room over a small real archive.

Real parts of the corpora, read by the real readers: the USSR/Russia, USA and China
General Debate speeches with the speakers spreadsheet, three transcribed FRUS-history
documents (two with footnotes), the relations essays on Russia, the Soviet Union and
China, the 1960s and 1970s visits, Secretary Rusk's travels, the chiefs of mission to
Russia with their pocom person files, the people.tgz records of the Gromykos, and an
original beside its translation (official country names in Russian and English from
Debian's iso-codes, shipped in pycountry). Two synthetic documents that anonymous
readers must never see (restricted; embargoed) are added through the store.
"""

from __future__ import annotations

import gettext
import re
import shutil
import tarfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath

import pycountry
import pytest
from starlette.testclient import TestClient

from declass.archive import Archive, Config
from declass.model import (
    AccessLevel,
    Block,
    BlockKind,
    CountryRef,
    Document,
    DocumentType,
    HistoricalDate,
    Participant,
    ParticipantRole,
    Text,
    TextRole,
)
from declass.web import create_app

SPEECH_COUNTRIES = ("RUS", "USA", "CHN")
FRUS_HISTORY = (
    "1972-09-22-kogan-to-franklin.xml",  # footnotes
    "1963-11-01-hac-meeting-minutes.xml",  # footnotes
    "1957-03-21-kennan-to-leopold.xml",  # a letter with its replies
)
RDCR = ("russia.xml", "soviet-union.xml", "china.xml")
VISITS = ("1960.xml", "1970.xml")
TRAVELS = ("secretary-travels/rusk-david-dean.xml",)
PEOPLE = ("105222", "105223")  # Andrei Gromyko, Lydia Gromyko
SECRET_IDS = ("synthetic:restricted-memo", "synthetic:embargoed-memo")


def _speech_slice(corpora: Path, target: Path) -> None:
    with (
        tarfile.open(corpora / "ungdc" / "UNGDC_1946-2022.tgz") as src,
        tarfile.open(target, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            if member.isfile() and PurePosixPath(member.name).name.startswith(SPEECH_COUNTRIES):
                out.addfile(member, src.extractfile(member))


def _people_slice(corpora: Path, target: Path) -> None:
    wanted = {f"{hsg_id}.xml" for hsg_id in PEOPLE}
    with (
        tarfile.open(corpora / "hsg" / "people.tgz") as src,
        tarfile.open(target, "w:gz") as out,
    ):
        for member in src:
            if member.isfile() and PurePosixPath(member.name).name in wanted:
                out.addfile(member, src.extractfile(member))


def _pocom_slice(corpora: Path, target: Path) -> None:
    pocom = corpora / "hsg" / "pocom"
    mission = pocom / "missions-countries" / "russia.xml"
    (target / "missions-countries").mkdir(parents=True)
    shutil.copy(mission, target / "missions-countries")
    for person in set(re.findall(r"<person-id>([^<]+)</person-id>", mission.read_text())):
        source = pocom / "people" / person[0] / f"{person}.xml"
        if source.exists():
            (target / "people" / person[0]).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / "people" / person[0])


def _translation_set(target: Path, count: int = 12) -> None:
    """Official country names, three a paragraph, in Russian (original) and English."""
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    pairs = []
    for country in pycountry.countries:
        official = getattr(country, "official_name", "")
        if official and ru.gettext(official) != official:
            pairs.append((official, ru.gettext(official)))
        if len(pairs) == count:
            break
    english = [", ".join(e for e, _ in pairs[i : i + 3]) + "." for i in range(0, count, 3)]
    russian = [", ".join(r for _, r in pairs[i : i + 3]) + "." for i in range(0, count, 3)]
    target.mkdir(parents=True)
    (target / "official-names.ru.txt").write_text("\n\n".join(russian), encoding="utf-8")
    (target / "official-names.en.txt").write_text("\n\n".join(english), encoding="utf-8")


def build_corpus(corpora: Path, folder: Path) -> list[Path]:
    """Copy the real parts named above into `folder`; return the paths to ingest."""
    hsg = corpora / "hsg"
    (folder / "ungdc").mkdir(parents=True)
    _speech_slice(corpora, folder / "ungdc" / "UNGDC_slice.tgz")
    shutil.copy(corpora / "ungdc" / "Speakers_by_session.xlsx", folder / "ungdc")
    for name in FRUS_HISTORY:
        (folder / "frus-history" / "documents").mkdir(parents=True, exist_ok=True)
        shutil.copy(hsg / "frus-history" / "documents" / name, folder / "frus-history/documents")
    for name in RDCR:
        (folder / "rdcr" / "articles").mkdir(parents=True, exist_ok=True)
        shutil.copy(hsg / "rdcr" / "articles" / name, folder / "rdcr" / "articles")
    for name in VISITS:
        (folder / "visits" / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy(hsg / "visits" / "data" / name, folder / "visits" / "data")
    for name in TRAVELS:
        target = folder / "travels" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hsg / "travels" / name, target)
    _people_slice(corpora, folder / "people.tgz")
    _pocom_slice(corpora, folder / "pocom")
    _translation_set(folder / "edition")
    return [
        folder / "ungdc" / "UNGDC_slice.tgz",
        folder / "frus-history",
        folder / "rdcr",
        folder / "visits",
        folder / "travels",
        folder / "people.tgz",
        folder / "pocom",
        folder / "edition",
    ]


def secret_documents() -> list[Document]:
    """SYNTHETIC: two memos an anonymous reader must never see, both naming Gromyko."""
    text = Text(
        "en",
        TextRole.ORIGINAL,
        (Block(BlockKind.PARAGRAPH, "SYNTHETIC: Gromyko zanzibarite memorandum, not public."),),
    )
    common = {
        "doc_type": DocumentType.MEMORANDUM,
        "texts": (text,),
        "date": HistoricalDate.parse("1965-05-05"),
        "participants": (Participant("Gromyko", ParticipantRole.AUTHOR),),
        "countries": (CountryRef("RUS", "USSR"),),
        "collections": ("rdcr",),
    }
    return [
        Document(
            id=SECRET_IDS[0],
            title="SYNTHETIC restricted memorandum",
            access=AccessLevel.RESTRICTED,
            **common,  # type: ignore[arg-type]
        ),
        Document(
            id=SECRET_IDS[1],
            title="SYNTHETIC embargoed memorandum",
            embargo_until=date(2999, 1, 1),
            **common,  # type: ignore[arg-type]
        ),
    ]


@pytest.fixture(scope="session")
def web_archive(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The small real archive (read-only for the tests)."""
    home = tmp_path_factory.mktemp("web-archive")
    paths = build_corpus(corpora, home / "corpus")
    archive = Archive(Config(home=home, db=str(home / "archive.sqlite3")))
    result = archive.ingest(paths)
    assert result.added > 150, result
    for doc in secret_documents():
        archive.store.put(doc)
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def client(web_archive: Archive) -> Iterator[TestClient]:
    with TestClient(create_app(web_archive)) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(web_archive: Archive) -> Iterator[str]:
    """The reading room served by a real uvicorn on 127.0.0.1 (in a thread)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(web_archive), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the reading room did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# -- a FRUS reading room: three real volumes and the people who appear in them -------

FRUS_VOLUMES = ("frus1964-68v30", "frus1969-76ve13", "frus1969-76v12")


def _frus_people_slice(corpora: Path, target: Path) -> int:
    """The people.tgz records that cite one of FRUS_VOLUMES (the whole authority takes
    a minute to read; these are the ones the volumes can link to)."""
    wanted = tuple(v.encode() for v in FRUS_VOLUMES)
    kept = 0
    with (
        tarfile.open(corpora / "hsg" / "people.tgz") as src,
        tarfile.open(target, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            if not member.isfile():
                continue
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if any(v in data for v in wanted) or member.name.endswith("SOURCE_COMMIT"):
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                out.addfile(info, __import__("io").BytesIO(data))
                kept += 1
    return kept


@pytest.fixture(scope="session")
def frus_volume_files(corpora: Path) -> dict[str, Path]:
    return {v: corpora / "frus" / "volumes" / f"{v}.xml.gz" for v in FRUS_VOLUMES}


@pytest.fixture(scope="session")
def frus_archive(
    corpora: Path, frus_volume_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    """Three real FRUS volumes and their people, read by the real readers (read-only)."""
    from declass.ingest.pipeline import ingest
    from declass.ingest.registry import default_registry

    home = tmp_path_factory.mktemp("frus-archive")
    people = home / "people.tgz"
    assert _frus_people_slice(corpora, people) > 50
    archive = Archive(Config(home=home, db=str(home / "archive.sqlite3")))
    ingest(archive.store, [*frus_volume_files.values(), people], default_registry())
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def frus_client(frus_archive: Archive) -> Iterator[TestClient]:
    with TestClient(create_app(frus_archive)) as c:
        yield c


@pytest.fixture(scope="session")
def frus_server(frus_archive: Archive) -> Iterator[str]:
    """The FRUS reading room served by a real uvicorn on 127.0.0.1 (in a thread)."""
    yield from _serve(frus_archive)


def _serve(archive: Archive) -> Iterator[str]:
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(archive), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the reading room did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
