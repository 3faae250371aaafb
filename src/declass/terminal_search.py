"""Search results for the terminal (rich) and for scripts (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from declass.search.engine import SearchResults


def results_as_json(found: SearchResults) -> dict[str, Any]:
    return {
        "query": found.query,
        "total": found.total,
        "total_exact": found.exact,
        "page": found.page,
        "page_size": found.page_size,
        "sort": found.sort,
        "expanded": found.expanded,
        "variants_searched": {e.name: list(e.variants) for e in found.expansions},
        "corrections": {typed: list(near) for typed, near in found.corrections},
        "selected_facets": [f"{k}:{v}" for k, v in found.selected_facets],
        "results": [
            {
                "id": r.doc_id,
                "title": r.title,
                "date": r.date,
                "score": round(r.score, 4),
                "snippet": r.snippet.text if r.snippet else "",
                "highlights": [list(h) for h in r.snippet.highlights] if r.snippet else [],
            }
            for r in found.results
        ],
        "facets": {
            name: [{"value": f.value, "count": f.count} for f in counts]
            for name, counts in found.facets.items()
        },
    }


def results_view(found: SearchResults) -> Group:
    parts: list[Any] = []
    first = (found.page - 1) * found.page_size + 1
    last = first + len(found.results) - 1
    head = f"[bold]{'about ' if not found.exact else ''}{found.total:,}[/bold] documents"
    if found.results:
        head += f" — {first}–{last}, by {found.sort}"
    parts.append(Text.from_markup(head))
    for e in found.expansions:
        parts.append(
            Text.from_markup(
                f"[dim]Also searched for {escape(e.name)} as: {escape(', '.join(e.variants))}"
                " (--no-expand to turn off)[/dim]"
            )
        )
    for typed, near in found.corrections:
        parts.append(
            Text.from_markup(
                f"[dim]{escape(typed)} is not in the archive;"
                f" searched {escape(', '.join(near))}[/dim]"
            )
        )
    for i, r in enumerate(found.results, first):
        parts.append(
            Text.from_markup(
                f"\n[bold]{i}. {escape(r.title)}[/bold]  [cyan]{escape(r.doc_id)}[/cyan]"
            )
        )
        if r.snippet:
            line = Text("   ")
            last_end = 0
            for s, e in r.snippet.highlights:
                line.append(r.snippet.text[last_end:s])
                line.append(r.snippet.text[s:e], style="bold yellow")
                last_end = e
            line.append(r.snippet.text[last_end:])
            parts.append(line)
    table = Table("facet", "values", title="Facets", show_lines=False)
    for name, counts in found.facets.items():
        if counts:
            table.add_row(name, ", ".join(f"{escape(c.value)} ({c.count})" for c in counts))
    parts.append(table)
    return Group(*parts)
