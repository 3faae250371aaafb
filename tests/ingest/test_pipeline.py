"""The ingest pipeline end to end: real corpora, broken inputs, re-runs, a killed run."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from declass.archive import Archive, Config
from declass.ingest.packed import Limits
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.search.engine import search
from declass.store.sqlite import SQLiteStore

TEI_NS = "http://www.tei-c.org/ns/1.0"


def archive_at(tmp_path: Path) -> Archive:
    return Archive(Config(home=tmp_path, db=str(tmp_path / "archive.sqlite3")))


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [
            "documents",
            "document_versions",
            "document_participants",
            "authorities",
            "name_variants",
            "events",
            "collections",
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_reingest_of_unchanged_sources_writes_nothing(corpora: Path, tmp_path: Path) -> None:
    sources = [corpora / "hsg" / "frus-history", corpora / "hsg" / "visits"]
    with archive_at(tmp_path) as archive:
        first = archive.ingest(sources)
        assert first.added > 0
        before = table_counts(tmp_path / "archive.sqlite3")
        second = archive.ingest(sources)
    assert (second.added, second.updated) == (0, 0)
    assert second.unchanged == first.added + first.updated + first.unchanged
    assert table_counts(tmp_path / "archive.sqlite3") == before


def test_reingest_through_reading_processes_only_hashes_and_writes_nothing(
    corpora: Path, tmp_path: Path
) -> None:
    sources = [corpora / "hsg" / "frus-history"]
    store = SQLiteStore(tmp_path / "archive.sqlite3")
    store.migrate()
    try:
        first = ingest(store, sources, default_registry(), workers=2)
        assert first.added > 0 and first.ok
        before = table_counts(tmp_path / "archive.sqlite3")
        second = ingest(store, sources, default_registry(), workers=2)
        assert (second.added, second.updated) == (0, 0)
        assert second.unchanged == first.added + first.updated + first.unchanged
        assert table_counts(tmp_path / "archive.sqlite3") == before
        assert search(store, "Historical Advisory Committee").total > 0
    finally:
        store.close()


def test_changed_source_makes_a_new_version_and_keeps_the_old(
    corpora: Path, tmp_path: Path
) -> None:
    original = corpora / "hsg" / "frus-history" / "documents" / "1958-11-03-noble-to-osborne.xml"
    work = tmp_path / "in" / original.name
    work.parent.mkdir()
    shutil.copy(original, work)
    with archive_at(tmp_path) as archive:
        first = archive.ingest([work])
        assert first.ok
        (doc_id,) = archive.store.document_ids()
        old_text = archive.document(doc_id).body
        text = work.read_text(encoding="utf-8")
        body_at = text.index('type="document"')
        p_at = text.index("<p>", body_at)
        edited = text[:p_at] + "<p>Corrected reading. " + text[p_at + 3 :]
        work.write_text(edited, encoding="utf-8")
        second = archive.ingest([work])
        assert (second.added, second.updated) == (0, 1)
        assert [v.number for v in archive.versions(doc_id)] == [1, 2]
        assert "Corrected reading." in archive.document(doc_id).body
        assert archive.document(doc_id, version=1).body == old_text


def _tei(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}">{body}</TEI>\n'


GOOD_TEI = _tei(
    "<teiHeader><fileDesc><titleStmt><title>Synthetic good letter</title></titleStmt>"
    "<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>"
    "</teiHeader><text><body><div type='document' xml:id='d1'><head>Synthetic good letter</head>"
    "<p>SYNTHETIC test text: a letter about the archive.</p></div></body></text>"
)


def make_broken_inputs(folder: Path, corpora: Path) -> dict[str, Path]:
    """SYNTHETIC broken inputs, one per kind, beside two good files."""
    folder.mkdir(parents=True)
    files: dict[str, Path] = {}

    def put(name: str, data: bytes | str, kind: str) -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files[kind] = path

    put("good.xml", GOOD_TEI, "good")
    shutil.copy(corpora / "hsg" / "visits" / "data" / "1950.xml", folder / "visits-1950.xml")
    put("malformed.xml", GOOD_TEI.replace("</p></div>", "</div>"), "malformed xml")
    put(
        "latin1.xml",
        GOOD_TEI.replace("archive", "archive café").encode("latin-1"),
        "wrong encoding",
    )
    put("empty.xml", b"", "empty file")
    put("junk.xml", bytes(range(256)) * 4, "binary junk named .xml")
    put("notes.docx", b"PK\x03\x04 not really a document", "unknown format")
    put(
        "xxe.xml",
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + GOOD_TEI.split("\n", 1)[1].replace("a letter", "&x;"),
        "external entity",
    )
    put(
        "laughs.xml",
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;'
        '&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;'
        '&c;&c;&c;&c;&c;&c;">]>\n' + GOOD_TEI.split("\n", 1)[1].replace("a letter", "&d;"),
        "entity expansion",
    )
    put("nodoc.xml", _tei("<teiHeader/>"), "TEI without a document")
    put("truncated.tgz", _tarball({"good.xml": GOOD_TEI.encode()})[:300], "truncated tarball")
    put("not-a-tar.tgz", gzip.compress(b"this is not a tar archive at all" * 20), "gzip not tar")
    put(
        "mixed.tar.gz",
        _tarball({"a/good2.xml": GOOD_TEI.replace("d1", "d2").encode(), "a/bad.xml": b"<TEI"}),
        "tarball with a broken member",
    )
    put(
        "visits-bad-date.xml",
        "<visits><visit><id>1</id><start-date>1950-13-45</start-date>"
        "<end-date>1950-02-01</end-date><visitor>Synthetic Visitor</visitor>"
        '<from id="chile">Chile</from><description>SYNTHETIC</description></visit></visits>',
        "bad date in a record",
    )
    return files


def _tarball(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_folder_of_broken_inputs_is_quarantined_and_good_files_still_ingest(
    corpora: Path, tmp_path: Path
) -> None:
    files = make_broken_inputs(tmp_path / "inbox", corpora)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([tmp_path / "inbox", tmp_path / "missing-folder"])
        stored = archive.store.document_ids()
        events = list(archive.store.events())
    rejected_sources = {r.source.split("!")[0] for r in result.rejections}
    broken = {k: p for k, p in files.items() if k != "good"}
    for kind, path in broken.items():
        if kind == "tarball with a broken member":
            continue
        assert str(path) in rejected_sources, f"{kind} ({path.name}) was not rejected"
    assert str(tmp_path / "missing-folder") in rejected_sources
    assert any(r.source.endswith("mixed.tar.gz!a/bad.xml") for r in result.rejections)
    for r in result.rejections:
        assert r.reason, r
    # the good inputs are in: the good TEI file, the good tar member, the real visits
    assert len(stored) >= 2
    assert len(events) > 0
    assert not any("passwd" in d or "root:" in d for d in stored)
    # the quarantine report lists every rejection
    report = (tmp_path / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(report) == len(result.rejections) >= len(broken)


def test_malformed_xml_error_names_the_line(corpora: Path, tmp_path: Path) -> None:
    files = make_broken_inputs(tmp_path / "inbox", corpora)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([files["malformed xml"]])
    (rejection,) = result.rejections
    assert rejection.source == str(files["malformed xml"])
    assert "line" in rejection.position


def test_entities_are_never_expanded(corpora: Path, tmp_path: Path) -> None:
    files = make_broken_inputs(tmp_path / "inbox", corpora)
    with archive_at(tmp_path) as archive:
        archive.ingest([files["external entity"], files["entity expansion"]])
        bodies = [archive.document(i).body for i in archive.store.document_ids()]
    assert not any("root:" in b or "lollollol" in b for b in bodies)


def test_cli_exit_status_says_something_was_rejected(corpora: Path, tmp_path: Path) -> None:
    files = make_broken_inputs(tmp_path / "inbox", corpora)
    env = {**os.environ, "DECLASS_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "declass.cli"]
    bad = subprocess.run(
        [*cli, "ingest", str(files["malformed xml"])], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 3
    assert "malformed.xml" in bad.stderr and "line" in bad.stderr
    good = subprocess.run(
        [*cli, "ingest", str(files["good"])], capture_output=True, text=True, env=env
    )
    assert good.returncode == 0, good.stderr
    assert "1 added" in good.stdout


def _descendants(pid: int) -> list[int]:
    """Every process started by `pid`, and by those, read from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_a_sound_catalogue_that_a_new_run_completes(
    corpora: Path, tmp_path: Path
) -> None:
    tarball = corpora / "ungdc" / "UNGDC_1946-2022.tgz"
    with tarfile.open(tarball) as tar:
        expected = sum(1 for m in tar if m.isfile() and m.name.endswith(".txt"))
    db = tmp_path / "archive.sqlite3"
    env = {**os.environ, "DECLASS_DB": str(db), "DECLASS_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "declass.cli", "ingest", "--quiet", str(tarball)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 1500:
                break
    assert proc.poll() is None, "ingest finished before it could be killed"
    helpers = _descendants(proc.pid)  # its reading processes (and their fork server)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert stored >= 1500
    # The reading processes end with the run: none is left waiting on a queue forever.
    deadline = time.monotonic() + 30
    while (alive := [p for p in helpers if Path(f"/proc/{p}").exists()]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert helpers and not alive

    store = SQLiteStore(db)
    assert store.integrity_check() == "ok"
    partial = store.stats().documents
    assert 0 < partial < expected
    result = ingest(store, [tarball], default_registry())
    assert result.added == expected - partial
    assert store.stats().documents == expected
    assert store.integrity_check() == "ok"
    # The search index, derived from the catalogue, holds every speech exactly once:
    # what the killed run committed but never published is caught up, nothing twice.
    assert search(store, "", page_size=1).total == expected
    store.close()


def test_record_the_catalogue_refuses_is_quarantined_and_the_rest_of_its_batch_stored(
    tmp_path: Path,
) -> None:
    # SYNTHETIC: three letters in one file, the second numbered past any integer the
    # catalogue can hold; it reaches the store and fails there, inside a batch.
    letters = "".join(
        f"<div type='document' xml:id='d{i}' n='{n}'><head>Synthetic letter {i}</head>"
        f"<p>SYNTHETIC test text: letter {i}.</p></div>"
        for i, n in ((1, "1"), (2, "9" * 30), (3, "3"))
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "letters.xml").write_text(
        GOOD_TEI.replace(GOOD_TEI[GOOD_TEI.index("<div") : GOOD_TEI.index("</body>")], letters),
        encoding="utf-8",
    )
    (inbox / "good.xml").write_text(GOOD_TEI, encoding="utf-8")
    with archive_at(tmp_path) as archive:
        result = archive.ingest([inbox])
        stored = archive.store.document_ids()
    (rejection,) = result.rejections
    assert rejection.source == str(inbox / "letters.xml")
    assert rejection.position.startswith("record ") and rejection.position.endswith("/d2")
    assert "too large" in rejection.reason
    assert result.added == len(stored) == 3
    assert not any(doc_id.endswith("/d2") for doc_id in stored)


def test_symlink_loop_in_a_folder_is_walked_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.xml").write_text(GOOD_TEI, encoding="utf-8")
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([inbox])
        assert len(archive.store.document_ids()) == 1
    assert result.ok


def test_oversized_tar_member_is_refused_by_name(tmp_path: Path) -> None:
    big = GOOD_TEI.replace("a letter", "a letter " + "word " * 400).encode()
    (tmp_path / "pack.tgz").write_bytes(
        _tarball({"big.xml": big, "small.xml": GOOD_TEI.replace("d1", "d9").encode()})
    )
    with archive_at(tmp_path) as archive:
        result = archive.ingest([tmp_path / "pack.tgz"], limits=Limits(member_bytes=1000))
        assert len(archive.store.document_ids()) == 1
    (rejection,) = result.rejections
    assert rejection.source.endswith("pack.tgz!big.xml")
    assert "larger than" in rejection.reason
