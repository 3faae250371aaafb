"""Download FRUS volumes from the public HistoryAtState/frus repository.

The volumes are too large to ship (several MB each, about 550 of them); a user fetches
the ones they want once, and ingests the folder like any other.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from declass.errors import DeclassError, IngestError
from declass.ingest.frus import VOLUME_ID, is_volume
from declass.ingest.tei_xml import parse_tei

# Raw files of the `volumes/` folder on the repository's default branch (master).
DEFAULT_FRUS_BASE = "https://raw.githubusercontent.com/HistoryAtState/frus/master/volumes"

# A small demonstration sample on China and the USSR, 1949–1972. These ids are real
# HistoryAtState/frus volume ids (not checked against the network from here).
SAMPLE_VOLUMES: tuple[str, ...] = (
    "frus1969-76ve13",  # Documents on China, 1969–1972 (electronic-only volume)
    "frus1969-76v12",  # Soviet Union, January 1969–October 1970
    "frus1949v08",  # The Far East: China
)

TIMEOUT_S = 60


def fetch_frus(
    volume_ids: Sequence[str], dest: Path, base_url: str = DEFAULT_FRUS_BASE
) -> list[Path]:
    """Download each volume to `dest/<id>.xml` (kept if already there) and return the paths.

    Raises DeclassError for a bad id, a network failure or a file that is not a FRUS volume.
    """
    for volume_id in volume_ids:
        if not VOLUME_ID.fullmatch(volume_id) or len(volume_id) > 64:
            raise DeclassError(
                f"not a FRUS volume id: {volume_id!r} (expected e.g. 'frus1969-76v17')"
            )
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for volume_id in volume_ids:
        path = dest / f"{volume_id}.xml"
        if not path.exists():
            url = f"{base_url.rstrip('/')}/{volume_id}.xml"
            data = _download(url)
            _check_volume(data, url)
            _write_atomically(path, data)
        paths.append(path)
    return paths


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            data: bytes = response.read()
    except urllib.error.HTTPError as e:
        raise DeclassError(
            f"could not download {url}: HTTP {e.code} {e.reason}. Check the volume id; "
            "working offline, copy the volume's XML file into the destination folder instead."
        ) from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DeclassError(
            f"could not download {url}: {reason}. Working offline, download the volume "
            "elsewhere (or clone HistoryAtState/frus) and copy its XML file into the "
            "destination folder."
        ) from e
    return data


def _check_volume(data: bytes, url: str) -> None:
    try:
        root = parse_tei(data, url)
    except IngestError as e:
        raise DeclassError(f"{url} is not a TEI file: {e}") from e
    if not is_volume(root):
        raise DeclassError(f'{url} is TEI but not a FRUS volume (no div type="document")')


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: no half-written volumes."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
