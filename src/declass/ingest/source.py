"""What a reader is handed: a file, a folder, or one member of a tarball."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """One input as the ingest pipeline found it.

    `path` is always a real path on disk; for a tarball member it is the tarball and
    `member` names the member, whose bytes travel in `data` (read once, in order).
    """

    path: Path
    member: str | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The file name that format detection looks at (inside nested packing, the
        innermost: "a.zip" member "b.tgz!c/d.xml" is "d.xml")."""
        return Path(self.member.rsplit("!", 1)[-1]).name if self.member else self.path.name

    @property
    def label(self) -> str:
        """How errors and provenance name this input."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def is_dir(self) -> bool:
        return self.member is None and self.path.is_dir()

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        return self.path.read_bytes()

    def head(self, size: int = 4096) -> bytes:
        """The first bytes, for sniffing a format without reading everything."""
        if self.data is not None:
            return self.data[:size]
        if self.is_dir:
            return b""
        with self.path.open("rb") as f:
            return f.read(size)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
