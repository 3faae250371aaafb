"""Packed inputs read in place: tar (plain or compressed), zip, and gzip of any single file.

Every decompression goes through here, under `Limits`: a member may not expand beyond
`member_bytes`, nor a whole archive beyond `total_bytes`, nor packing nest deeper than
`depth`. A bomb is refused with the file and member named, before it fills memory.
A truncated or corrupt archive yields the members that came before the damage, then
one `Damage` saying where it stopped; the caller decides what that costs.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How far packed input may expand. The defaults hold the largest real inputs known
    (a FRUS volume is under 40 MB of XML; the UNGDC tarball 187 MB in all) many times over."""

    member_bytes: int = 512 * MiB
    total_bytes: int = 8 * 1024 * MiB
    depth: int = 3  # an archive inside an archive inside an archive, no deeper


@dataclass(frozen=True)
class Member:
    """One file found inside packed input: its path inside, and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Damage:
    """Where reading packed input had to stop, and why."""

    name: str  # the member that cannot be read; "" when the archive itself is damaged
    reason: str


@dataclass(frozen=True)
class Passed:
    """A member that is not a file (a link, a device): named, and not followed."""

    name: str
    reason: str


class TooLarge(ValueError):
    """Packed input that would expand beyond its limits."""


class ArchiveTooLarge(TooLarge):
    """A whole archive that would expand beyond its limit: reading it stops."""


_UNREADABLE = (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, zlib.error)
_GZIP_MAGIC = b"\x1f\x8b"
_TAR_COMPRESSIONS = (b"BZh", b"\xfd7zXZ\x00")  # bzip2 and xz: read as compressed tarballs
_ZIP_MAGIC = b"PK\x03\x04"
_TAR_MAGIC_AT = 257


def kind_of(head: bytes) -> str | None:
    """ "gzip", "zip", "tar" or None, from the first bytes (never from the name)."""
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head[_TAR_MAGIC_AT : _TAR_MAGIC_AT + 5] == b"ustar" or head.startswith(_TAR_COMPRESSIONS):
        return "tar"
    return None


def is_packed(path: Path) -> bool:
    """True for a file that is a tar, zip or gzip by its content."""
    try:
        with path.open("rb") as f:
            return kind_of(f.read(_TAR_MAGIC_AT + 8)) is not None
    except OSError:
        return False


def gunzipped_name(name: str) -> str:
    """ "frus1964-68v30.xml.gz" → "frus1964-68v30.xml"; "x.tgz" → "x.tar"."""
    lower = name.lower()
    if lower.endswith(".tgz"):
        return name[:-4] + ".tar"
    if lower.endswith(".gz"):
        return name[:-3]
    return name + ".out"


def read_bounded(stream: BinaryIO, limit: int, what: str) -> bytes:
    """Read `stream` to its end, refusing it once it passes `limit` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{what} expands beyond {limit:,} bytes (limit per file)")
    return data


def gunzip(data: bytes, limits: Limits, what: str) -> bytes:
    """The content of one gzip stream, within `limits.member_bytes`."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        return read_bounded(stream, limits.member_bytes, what)


class _Budget:
    """What one top-level archive may still expand to, across all its nesting."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0

    def spend(self, size: int, what: str) -> None:
        self.used += size
        if self.used > self.limits.total_bytes:
            raise ArchiveTooLarge(
                f"archive expands beyond {self.limits.total_bytes:,} bytes in all"
                f" (limit per archive), at {what}"
            )


def members(path: Path, limits: Limits | None = None) -> Iterator[Member | Damage | Passed]:
    """Every file inside packed `path`, depth first, nested archives opened in place.

    A gzip of a single file yields that file under its name without ".gz". A member too
    large or nested too deep is a `Damage` for that member and reading goes on; damage to
    the archive itself ends the walk with one `Damage`.
    """
    limits = limits or Limits()
    budget = _Budget(limits)
    try:
        with path.open("rb") as raw:
            yield from _open(raw, path.name, "", budget, 1)
    except TooLarge as exc:
        yield Damage("", str(exc))
    except OSError as exc:
        yield Damage("", f"unreadable: {exc}")


def _open(
    raw: BinaryIO, name: str, prefix: str, budget: _Budget, depth: int
) -> Iterator[Member | Damage | Passed]:
    head = raw.read(_TAR_MAGIC_AT + 8)
    raw.seek(0)
    kind = kind_of(head)
    if kind == "zip":
        yield from _zip(raw, prefix, budget, depth)
    elif kind == "tar" or (kind == "gzip" and _gzip_holds_tar(raw)):
        yield from _tar(raw, prefix, budget, depth)
    elif kind == "gzip":
        inner = gunzipped_name(name)
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                data = read_bounded(stream, budget.limits.member_bytes, f"{prefix}{inner}")
        except TooLarge as exc:
            yield Damage(f"{prefix}{inner}", str(exc))
            return
        except _UNREADABLE as exc:
            yield Damage(f"{prefix}{inner}", f"damaged gzip: {type(exc).__name__}: {exc}")
            return
        budget.spend(len(data), f"{prefix}{inner}")
        yield from _member(f"{prefix}{inner}", data, budget, depth)


def _gzip_holds_tar(raw: BinaryIO) -> bool:
    try:
        with gzip.GzipFile(fileobj=raw) as stream:
            head = stream.read(_TAR_MAGIC_AT + 8)
    except _UNREADABLE:
        return False
    finally:
        raw.seek(0)
    return kind_of(head) == "tar"


def _member(
    name: str, data: bytes, budget: _Budget, depth: int
) -> Iterator[Member | Damage | Passed]:
    """A member as it is, or opened in place when it is itself packed."""
    if kind_of(data[: _TAR_MAGIC_AT + 8]) is None:
        yield Member(name, data)
        return
    if depth >= budget.limits.depth:
        yield Damage(name, f"packed {budget.limits.depth} levels deep; deeper is refused")
        return
    yield from _open(io.BytesIO(data), PurePosixPath(name).name, f"{name}!", budget, depth + 1)


def _tar(
    raw: BinaryIO, prefix: str, budget: _Budget, depth: int
) -> Iterator[Member | Damage | Passed]:
    where = ""
    try:
        with tarfile.open(fileobj=raw, mode="r|*") as tar:
            for info in tar:
                if info.isdir():
                    continue
                name = f"{prefix}{info.name}"
                if not info.isfile():
                    kind = "link" if info.issym() or info.islnk() else "device or pipe"
                    yield Passed(name, f"a {kind} inside packed input, not followed")
                    continue
                where = name
                if info.size > budget.limits.member_bytes:
                    yield Damage(
                        name,
                        f"member of {info.size:,} bytes is larger than the"
                        f" {budget.limits.member_bytes:,} bytes a file may have",
                    )
                    continue
                budget.spend(info.size, name)
                handle = tar.extractfile(info)
                data = handle.read() if handle is not None else b""
                if len(data) != info.size:
                    raise EOFError(f"{name} ends after {len(data):,} of {info.size:,} bytes")
                yield from _member(name, data, budget, depth)
    except _UNREADABLE as exc:
        after = f"after member {where}" if where else "at the start"
        yield Damage("", f"damaged archive {after}: {type(exc).__name__}: {exc}")


def _zip(
    raw: BinaryIO, prefix: str, budget: _Budget, depth: int
) -> Iterator[Member | Damage | Passed]:
    try:
        archive = zipfile.ZipFile(raw)
    except _UNREADABLE as exc:
        yield Damage("", f"damaged zip archive: {type(exc).__name__}: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = f"{prefix}{info.filename}"
            try:
                # The directory's sizes can lie: the read itself is bounded.
                with archive.open(info) as stream:
                    data = read_bounded(stream, budget.limits.member_bytes, name)
                budget.spend(len(data), name)
            except ArchiveTooLarge:
                raise
            except TooLarge as exc:
                yield Damage(name, str(exc))
                continue
            except (*_UNREADABLE, RuntimeError, NotImplementedError) as exc:
                # RuntimeError: an encrypted member; NotImplementedError: an unknown method.
                yield Damage(name, f"unreadable member: {type(exc).__name__}: {exc}")
                continue
            yield from _member(name, data, budget, depth)
