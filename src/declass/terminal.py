"""Documents and archive figures as rich renderables for the terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text as RichText

from declass.model import BlockKind, Document, HistoricalDate, NoteKind
from declass.store.base import ArchiveStats


def format_date(d: HistoricalDate | None) -> str:
    """A date as a reader would say it, with its precision ("1969", "c. 1949-12-16..1950-02-14")."""
    if d is None:
        return "undated"
    text = d.display()
    if d.label and d.label != text:
        text += f"  ({d.label})"
    return text


def document_view(doc: Document, version: int | None = None) -> RenderableType:
    """Metadata panel, the body with its structure, then the notes as footnotes."""
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold cyan", no_wrap=True)
    meta.add_column()
    rows: list[tuple[str, str]] = [
        ("ID", doc.id + (f"  (version {version})" if version else "")),
        ("Type", doc.doc_type.value.replace("-", " ")),
        ("Date", format_date(doc.date)),
        ("Place", doc.place),
        ("Language", ", ".join(f"{t.language} ({t.role.value})" for t in doc.texts)),
        ("Countries", ", ".join(f"{c.name} [{c.code}]" for c in doc.countries)),
        ("Collections", ", ".join(doc.collections)),
        ("Series", f"{doc.series} #{doc.sequence}" if doc.sequence is not None else doc.series),
        ("Subjects", "; ".join(doc.subjects)),
        ("Access", doc.access.value),
    ]
    for p in doc.participants:
        who = p.name + (f", {p.post}" if p.post else "")
        rows.append((p.role.value.capitalize(), who))
    ref = doc.archival_reference
    if ref and ref.text and ref.text != doc.source_note:
        rows.append(("Archive", ref.text))
    if doc.source_note:
        rows.append(("Source", doc.source_note))
    if doc.provenance:
        rows.append(("Ingested from", f"{doc.provenance.source} {doc.provenance.position}".strip()))
    for key, value in rows:
        if value:
            meta.add_row(key, escape(value))

    parts: list[RenderableType] = [Panel(meta, title=escape(doc.title), title_align="left")]
    markers = _note_markers(doc)
    for t_index, text in enumerate(doc.texts):
        if len(doc.texts) > 1:
            parts.append(Rule(f"{text.role.value} · {text.language}"))
        for b_index, block in enumerate(text.blocks):
            body = block.text
            for offset, label in sorted(markers.get((t_index, b_index), []), reverse=True):
                body = body[:offset] + f"[{label}]" + body[offset:]
            if block.kind is BlockKind.HEADING:
                parts.append(RichText(body, style="bold"))
            elif block.kind is BlockKind.LIST_ITEM:
                parts.append(RichText("  • " + body))
            elif block.kind in (BlockKind.DATELINE, BlockKind.SIGNATURE):
                parts.append(RichText(body, style="italic"))
            else:
                parts.append(RichText(body + "\n"))
    notes = [n for n in doc.notes if n.kind is not NoteKind.SOURCE]
    if notes:
        parts.append(Rule("Notes"))
        for i, note in enumerate(notes, 1):
            label = note.label or str(i)
            kind = "" if note.kind is NoteKind.FOOTNOTE else f" ({note.kind.value})"
            parts.append(RichText(f"[{label}]{kind} {note.text}"))
    return Group(*parts)


def _note_markers(doc: Document) -> dict[tuple[int, int], list[tuple[int, str]]]:
    markers: dict[tuple[int, int], list[tuple[int, str]]] = {}
    numbered = [n for n in doc.notes if n.kind is not NoteKind.SOURCE]
    for i, note in enumerate(numbered, 1):
        if note.anchor is not None:
            key = (note.anchor.text_index, note.anchor.block_index)
            markers.setdefault(key, []).append((note.anchor.offset, note.label or str(i)))
    return markers


def stats_view(stats: ArchiveStats, location: str) -> RenderableType:
    """What is in the archive, as a reader first wants to know it."""
    head = Table(title=f"Archive at {location}", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column(justify="right")
    head.add_row("Documents", f"{stats.documents:,}")
    head.add_row("Versions kept", f"{stats.versions:,}")
    for kind, n in stats.authorities.items():
        head.add_row(f"Authority records: {kind}", f"{n:,}")
    for kind, n in stats.events.items():
        head.add_row(f"Events: {kind}", f"{n:,}")
    head.add_row("Collections", f"{stats.collections:,}")
    head.add_row("Ingest runs", f"{stats.runs:,}")
    head.add_row("Rejected inputs (quarantined)", f"{stats.rejections:,}")
    tables: list[RenderableType] = [head]
    for title, counts in (
        ("Documents by collection", stats.by_collection),
        ("Documents by type", stats.by_type),
        ("Documents by decade", stats.by_decade),
        ("Documents by language", stats.by_language),
    ):
        if counts:
            t = Table(title=title, title_justify="left")
            t.add_column("")
            t.add_column("documents", justify="right")
            for key, n in counts.items():
                t.add_row(escape(key), f"{n:,}")
            tables.append(t)
    return Group(*tables)
