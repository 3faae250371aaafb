"""Packed inputs read in place: gzip, zip and tar of any mix, within size limits, and
damage that costs only the damaged file."""

from __future__ import annotations

import gzip
import io
import shutil
import tarfile
import zipfile
from pathlib import Path

from declass.archive import Archive, Config
from declass.ingest.packed import Damage, Limits, Member, members
from declass.ingest.walk import Skip


def archive_at(tmp_path: Path) -> Archive:
    return Archive(Config(home=tmp_path, db=str(tmp_path / "archive.sqlite3")))


def _tar(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _real_records(corpora: Path, count: int) -> dict[str, bytes]:
    folder = corpora / "hsg" / "frus-history" / "documents"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xml"))[:count]}


def _ids_unpacked(files: dict[str, bytes], tmp_path: Path) -> set[str]:
    """The ids the same files give when they lie unpacked in a folder."""
    folder = tmp_path / "unpacked"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with Archive(Config(home=folder, db=str(tmp_path / "unpacked.sqlite3"))) as archive:
        assert archive.ingest([folder]).ok
        return set(archive.store.document_ids())


def test_a_gzipped_file_is_read_as_the_file_it_holds(corpora: Path, tmp_path: Path) -> None:
    records = _real_records(corpora, 1)
    (name, data) = next(iter(records.items()))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"{name}.gz").write_bytes(gzip.compress(data))
    with archive_at(tmp_path) as archive:
        result = archive.ingest([tmp_path / "in"])
        ids = archive.store.document_ids()
    assert result.ok and result.added >= 1
    assert set(ids) == _ids_unpacked(records, tmp_path)


def test_zip_and_tar_of_mixed_formats_nested_are_read_in_place(
    corpora: Path, tmp_path: Path
) -> None:
    """A zip holding a TEI record, a gzipped TEI record, a tarball of TEI records and a
    real visits file: every record is read, nothing unpacked to disk."""
    records = _real_records(corpora, 4)
    names = list(records)
    visits = (corpora / "hsg" / "visits" / "data" / "1950.xml").read_bytes()
    inner_tar = _tar({f"deep/{n}": records[n] for n in names[2:]})
    packed = _zip(
        {
            names[0]: records[names[0]],
            f"{names[1]}.gz": gzip.compress(records[names[1]]),
            "more.tgz": inner_tar,
            "visits/1950.xml": visits,
        }
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bundle.zip").write_bytes(packed)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([tmp_path / "in"])
        ids = set(archive.store.document_ids())
        events = list(archive.store.events())
    assert result.ok, result.rejections
    assert ids == _ids_unpacked(records, tmp_path)
    assert len(events) == visits.count(b"<visit>")
    assert list((tmp_path / "in").iterdir()) == [tmp_path / "in" / "bundle.zip"]


def test_a_truncated_tarball_among_good_files_costs_only_itself(
    corpora: Path, tmp_path: Path
) -> None:
    """A real tarball (people.tgz) cut short, beside good files: the good files are all
    read and the tarball is rejected by name; the run goes on."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = _real_records(corpora, 3)
    for name, data in good.items():
        (inbox / name).write_bytes(data)
    people = (corpora / "hsg" / "people.tgz").read_bytes()
    (inbox / "people.tgz").write_bytes(people[: len(people) // 3])
    cut = _tar({f"x/{n}": d for n, d in good.items()})
    (inbox / "records.tgz").write_bytes(cut[: len(cut) // 2])
    (inbox / "zzz-visits.xml").write_bytes(
        (corpora / "hsg" / "visits" / "data" / "1950.xml").read_bytes()
    )
    with archive_at(tmp_path) as archive:
        result = archive.ingest([inbox])
        ids = set(archive.store.document_ids())
        events = list(archive.store.events())
    assert _ids_unpacked(good, tmp_path) <= ids
    assert events  # the file after the damaged ones was read
    rejected = {r.source for r in result.rejections}
    assert str(inbox / "people.tgz") in rejected
    assert str(inbox / "records.tgz") in rejected
    for r in result.rejections:
        assert "damaged" in r.reason or "truncated" in r.reason or "ends after" in r.reason


def test_a_gzip_bomb_is_refused_by_name_and_nothing_else_is_lost(
    corpora: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = _real_records(corpora, 2)
    for name, data in good.items():
        (inbox / name).write_bytes(data)
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))  # SYNTHETIC: 20 MB of zeros, ~20 KB packed
    (inbox / "bomb.xml.gz").write_bytes(bomb)
    limits = Limits(member_bytes=5 * 1024 * 1024)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([inbox], limits=limits)
        ids = set(archive.store.document_ids())
    assert ids == _ids_unpacked(good, tmp_path)
    (rejection,) = result.rejections
    assert rejection.source.startswith(str(inbox / "bomb.xml.gz"))
    assert "expands beyond 5,242,880 bytes" in rejection.reason


def test_an_archive_expanding_beyond_its_total_is_stopped(tmp_path: Path) -> None:
    """SYNTHETIC: a zip of many members, each small, together beyond the total limit."""
    parts = {f"part{i}.txt": b"x" * 400_000 for i in range(10)}
    path = tmp_path / "many.zip"
    path.write_bytes(_zip(parts))
    found = list(members(path, Limits(member_bytes=1_000_000, total_bytes=2_000_000)))
    assert sum(isinstance(f, Member) for f in found) == 5
    assert isinstance(found[-1], Damage) and "in all" in found[-1].reason


def test_a_zip_member_that_lies_about_its_size_is_bounded_by_what_it_expands_to(
    tmp_path: Path,
) -> None:
    """SYNTHETIC: the central directory claims 10 bytes; the member expands to 3 MB."""
    path = tmp_path / "liar.zip"
    path.write_bytes(_zip({"liar.xml": b"<a>" + b" " * 3_000_000 + b"</a>"}))
    raw = bytearray(path.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(raw))
    (found,) = list(members(path, Limits(member_bytes=1_000_000)))
    assert isinstance(found, Damage) and found.name == "liar.xml"


def test_packing_nested_too_deep_is_refused(tmp_path: Path) -> None:
    data = b"<a/>"
    for level in range(4):
        data = gzip.compress(_tar({f"level{level}.tar.gz": data}, mode="w"))
    path = tmp_path / "deep.tgz"
    path.write_bytes(data)
    found = list(members(path, Limits(depth=3)))
    assert isinstance(found[-1], Damage) and "levels deep" in found[-1].reason


def test_description_files_are_skipped_with_a_reason_never_silently(
    corpora: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(corpora / "un-charter", folder, ignore=shutil.ignore_patterns("*.txt"))
    (folder / "LICENSE.md").write_text("SYNTHETIC licence text")
    (folder / "frus.odd").write_text("<TEI/>")
    (folder / "ids.tsv").write_text("a\tb\n")
    with archive_at(tmp_path) as archive:
        result = archive.ingest([folder])
    skipped = {Path(s.source).name: s.reason for s in result.skips}
    assert set(skipped) == {"SOURCE.md", "LICENSE.md", "frus.odd", "ids.tsv"}
    assert all(isinstance(s, Skip) and s.reason for s in result.skips)
    assert result.corpora["corpus"].skipped == 4


def test_each_corpus_of_a_shelf_is_counted_under_its_own_name(corpora: Path) -> None:
    """../shared/corpora: each folder that describes itself is a corpus, whether a
    reader takes it whole (the Charter's folder) or file by file."""
    from declass.ingest.registry import default_registry
    from declass.ingest.walk import Walk

    walk = Walk(default_registry())
    assert walk.corpus_of(corpora, corpora / "un-charter") == "un-charter"
    assert walk.corpus_of(corpora, corpora / "frus" / "volumes" / "x.xml.gz") == "frus"
    assert walk.corpus_of(corpora, corpora / "README.md") == corpora.name
    assert walk.corpus_of(corpora / "frus", corpora / "frus" / "volumes" / "x.gz") == "frus"


def test_links_inside_a_tarball_are_skipped_by_name_never_followed(
    corpora: Path, tmp_path: Path
) -> None:
    records = _real_records(corpora, 2)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in records.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("passwd.xml")  # synthetic: a link out of the archive
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    packed = tmp_path / "records.tgz"
    packed.write_bytes(buf.getvalue())
    with archive_at(tmp_path) as archive:
        result = archive.ingest([packed])
        held = set(archive.store.document_ids())
    assert held == _ids_unpacked(records, tmp_path)
    assert [(s.source, "link" in s.reason) for s in result.skips] == [
        (f"{packed}!passwd.xml", True)
    ]
    assert not result.rejections
