"""Fetching FRUS volumes, against a real HTTP server on the loopback interface."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.errors import DeclassError
from declass.fetch import DEFAULT_FRUS_BASE, SAMPLE_VOLUMES, fetch_frus
from declass.ingest.frus import VOLUME_ID, FrusVolumeReader
from declass.ingest.source import Source
from declass.model import Document

VOLUME = "frus1969-76synth01"


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path, fixtures: Path) -> Iterator[tuple[str, list[str], Path]]:
    """A web root with the synthetic volume, one non-volume TEI file and one non-XML file."""
    root = tmp_path / "www" / "volumes"
    root.mkdir(parents=True)
    shutil.copy(fixtures / "frus" / f"{VOLUME}.xml", root / f"{VOLUME}.xml")
    (root / "frus1999notavolume.xml").write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>x</p></body></text></TEI>'
    )
    (root / "frus1999html.xml").write_text("<html><body>Not found, sorry</body>")
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests, root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_fetch_downloads_a_volume_that_then_reads(server, tmp_path: Path):
    base, requests, root = server
    dest = tmp_path / "volumes"
    (path,) = fetch_frus([VOLUME], dest, base_url=base)
    assert path == dest / f"{VOLUME}.xml"
    assert path.read_bytes() == (root / f"{VOLUME}.xml").read_bytes()
    assert requests == [f"/{VOLUME}.xml"]
    assert sorted(p.name for p in dest.iterdir()) == [f"{VOLUME}.xml"]  # no temp file left
    docs = [i for i in FrusVolumeReader().read(Source(path)) if isinstance(i, Document)]
    assert len(docs) == 6  # d5 has an impossible date, kept and flagged


def test_present_file_is_kept_and_not_downloaded_again(server, tmp_path: Path):
    base, requests, _ = server
    dest = tmp_path / "volumes"
    dest.mkdir()
    (dest / f"{VOLUME}.xml").write_text("already here")
    assert fetch_frus([VOLUME], dest, base_url=base) == [dest / f"{VOLUME}.xml"]
    assert (dest / f"{VOLUME}.xml").read_text() == "already here"
    assert requests == []


def test_missing_volume_names_the_url_and_writes_nothing(server, tmp_path: Path):
    base, _, _ = server
    dest = tmp_path / "volumes"
    with pytest.raises(DeclassError) as info:
        fetch_frus(["frus1900missing"], dest, base_url=base)
    message = str(info.value)
    assert f"{base}/frus1900missing.xml" in message
    assert "404" in message
    assert "offline" in message
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("volume_id", ["frus1999notavolume", "frus1999html"])
def test_a_download_that_is_not_a_frus_volume_is_refused(server, tmp_path: Path, volume_id):
    base, _, _ = server
    dest = tmp_path / "volumes"
    with pytest.raises(DeclassError, match=volume_id):
        fetch_frus([volume_id], dest, base_url=base)
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize(
    "volume_id",
    ["../etc/passwd", "frus/../../x", "frus1969v01.xml", "FRUS 1969", "", "frus1969v01?x=1"],
)
def test_bad_volume_ids_are_refused_before_any_request(server, tmp_path: Path, volume_id):
    base, requests, _ = server
    with pytest.raises(DeclassError, match="not a FRUS volume id"):
        fetch_frus([VOLUME, volume_id], tmp_path / "volumes", base_url=base)
    assert requests == []
    assert not (tmp_path / "volumes").exists()


def test_unreachable_server_says_what_to_do_offline(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again on exit: nothing listens there
    base = f"http://127.0.0.1:{port}"
    with pytest.raises(DeclassError) as info:
        fetch_frus([VOLUME], tmp_path / "volumes", base_url=base)
    assert f"{base}/{VOLUME}.xml" in str(info.value)
    assert "offline" in str(info.value)


def test_defaults_point_at_the_public_repository_and_sample_ids_are_valid():
    assert DEFAULT_FRUS_BASE.startswith("https://raw.githubusercontent.com/HistoryAtState/frus/")
    assert DEFAULT_FRUS_BASE.endswith("/volumes")
    assert SAMPLE_VOLUMES
    assert all(VOLUME_ID.fullmatch(v) for v in SAMPLE_VOLUMES)
