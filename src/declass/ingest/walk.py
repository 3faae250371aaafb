"""Walking the inputs of an ingest run: what is read, by which reader, and what is not.

Each input under a path becomes a `Task` (a source and the reader that claims it), a
`Skip` (a file that holds no records, with the reason), or a `Rejection` (something
that should have been read and cannot be). Folders are recursed; packed files (tar,
zip, gzip) are opened in place within `Limits`, never unpacked to disk. Nothing is
dropped without a word: every file ends up in one of the three.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from declass.ingest.packed import Damage, Limits, Passed, is_packed, members
from declass.ingest.registry import Reader, Registry
from declass.ingest.source import Source
from declass.model import Rejection


@dataclass(frozen=True)
class Task:
    """One input and the reader that claims it."""

    source: Source
    reader: Reader
    corpus: str


@dataclass(frozen=True)
class Skip:
    """A file no reader takes, and why; listed in the run's summary."""

    source: str
    reason: str
    corpus: str


@dataclass(frozen=True)
class Refused:
    """A rejection found while walking, with the corpus it counts against."""

    rejection: Rejection
    corpus: str


Found = Task | Skip | Refused

# Files that describe a corpus rather than hold its records, and what each kind is.
DESCRIPTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("README*", "UPSTREAM_README*", "Readme*", "readme*"), "describes the corpus"),
    (("LICENSE*", "LICENCE*", "COPYING*"), "the corpus's licence"),
    (
        ("SOURCE*", "CHANGELOG*", "CITATION*", "provenance.tsv", "*_stats.json"),
        "says where the corpus came from and what it holds",
    ),
    (("*.odd", "*.rnc", "*.rng", "*.xsd", "*.dtd"), "the encoding's schema, not records"),
)


# What makes a folder a corpus of its own: it says what it is and where it came from.
_SELF_DESCRIPTIONS = ("README*", "Readme*", "readme*", "SOURCE*")


def description(name: str) -> str | None:
    """Why a file named `name` holds no records (it describes its corpus), or None."""
    for patterns, reason in DESCRIPTIONS:
        if any(fnmatch.fnmatch(name, p) for p in patterns):
            return reason
    return None


@dataclass
class Walk:
    """The walk of one run: the registry, the limits, and the folders already visited."""

    registry: Registry
    limits: Limits = field(default_factory=Limits)
    visited: set[Path] = field(default_factory=set)
    _described: dict[Path, bool] = field(default_factory=dict)

    def inputs(self, path: Path) -> Iterator[Found]:
        """Each input under `path`, with the corpus it counts in (see `corpus_of`)."""
        yield from self._walk(path, path)

    def corpus_of(self, root: Path, path: Path) -> str:
        """The corpus an input under `root` belongs to: the innermost folder below
        `root` on its way that describes itself (has a README or SOURCE file); else
        `root` itself when it describes itself and is not a shelf of such folders;
        else the folder directly below `root` that holds it."""
        name = root.name or str(root)
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return name
        below = [root.joinpath(*parts[: i + 1]) for i in range(len(parts) - 1)]
        described = [f for f in below if self._describes_itself(f)]
        if described:
            return described[-1].name
        if self._describes_itself(root) and not self._is_shelf(root):
            return name
        # A folder directly below `root` (claimed whole by a reader) is its own corpus.
        return parts[0] if len(parts) > 1 or (parts and path.is_dir()) else name

    def _is_shelf(self, folder: Path) -> bool:
        """A folder whose subfolders describe themselves: a shelf of corpora."""
        try:
            return any(c.is_dir() and self._describes_itself(c) for c in folder.iterdir())
        except OSError:
            return False

    def _describes_itself(self, folder: Path) -> bool:
        known = self._described.get(folder)
        if known is None:
            try:
                known = any(
                    f.is_file() and fnmatch.fnmatch(f.name, pattern)
                    for f in folder.iterdir()
                    for pattern in _SELF_DESCRIPTIONS
                )
            except OSError:
                known = False
            self._described[folder] = known
        return known

    def _walk(self, root: Path, path: Path) -> Iterator[Found]:
        corpus = self.corpus_of(root, path)
        if not path.exists():
            yield Refused(Rejection(str(path), "", "no such file or folder"), corpus)
            return
        reason = description(path.name) if path.is_file() else None
        if reason is not None:
            yield Skip(str(path), reason, corpus)
            return
        source = Source(path)
        reader = self._reader_for(source)
        if isinstance(reader, Rejection):
            yield Refused(reader, corpus)
            return
        if reader is not None:
            yield Task(source, reader, corpus)
            return
        if path.is_dir():
            yield from self._folder(root, path)
        elif is_packed(path):
            yield from self._packed(path, corpus)
        else:
            yield _unclaimed(str(path), path.name, corpus)

    def _folder(self, root: Path, path: Path) -> Iterator[Found]:
        # A symbolic link back up the tree must not walk forever.
        here = path.resolve()
        if here in self.visited:
            return
        self.visited.add(here)
        sidecars = self.registry.sidecars(path)
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            if child in sidecars:
                corpus = self.corpus_of(root, child)
                yield Skip(str(child), sidecars[child], corpus)
                continue
            yield from self._walk(root, child)

    def _packed(self, path: Path, corpus: str) -> Iterator[Found]:
        """The files inside a tar, zip or gzip, each offered to the readers in turn."""
        for found in members(path, self.limits):
            if isinstance(found, Damage):
                label = f"{path}!{found.name}" if found.name else str(path)
                yield Refused(Rejection(label, "", found.reason), corpus)
                continue
            if isinstance(found, Passed):
                yield Skip(f"{path}!{found.name}", found.reason, corpus)
                continue
            source = Source(path, found.name, found.data)
            reason = description(source.name)
            if reason is not None:
                yield Skip(source.label, reason, corpus)
                continue
            reader = self._reader_for(source)
            if isinstance(reader, Rejection):
                yield Refused(reader, corpus)
            elif reader is None:
                yield _unclaimed(source.label, source.name, corpus)
            else:
                yield Task(source, reader, corpus)

    def _reader_for(self, source: Source) -> Reader | Rejection | None:
        """The reader that claims `source`; a file too damaged even to sniff is rejected."""
        try:
            return self.registry.reader_for(source)
        except (OSError, EOFError, ValueError) as exc:
            return Rejection(source.label, "", f"cannot be read: {type(exc).__name__}: {exc}")


# Suffixes of formats declass reads: a file so named that no reader claims is broken,
# not merely of another kind.
READABLE_SUFFIXES = frozenset(
    (".xml", ".tei", ".html", ".htm", ".pdf", ".csv", ".json", ".jsonl", ".xlsx", ".md", ".txt")
) | frozenset((".tar", ".tgz", ".zip", ".gz", ".bz2", ".xz"))


def _unclaimed(label: str, name: str, corpus: str) -> Found:
    """A file no reader claims: rejected if its name promises a readable format, else skipped."""
    suffix = Path(name).suffix.lower()
    if suffix in READABLE_SUFFIXES:
        reason = f"unknown format: named {suffix} but no reader recognises its content"
        return Refused(Rejection(label, "", reason), corpus)
    kind = f"{suffix} files" if suffix else "files without a suffix"
    return Skip(label, f"no reader takes {kind}", corpus)
