"""An ingest run's summary as a rich table: per corpus, what was read and what was not."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from declass.ingest.pipeline import IngestResult


def run_summary(result: IngestResult) -> Table:
    """One row per corpus (the folder directly below each path given): records stored,
    files skipped because they hold no records, inputs rejected; then the totals."""
    table = Table(title=f"Ingest run {result.run_id}", title_justify="left")
    table.add_column("corpus")
    for name in ("records", "added", "updated", "unchanged", "skipped", "rejected"):
        table.add_column(name, justify="right")
    totals = [0] * 6
    for corpus, tally in sorted(result.corpora.items()):
        row = [
            tally.records,
            tally.added,
            tally.updated,
            tally.unchanged,
            tally.skipped,
            tally.rejected,
        ]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        table.add_row(escape(corpus), *(f"{n:,}" for n in row))
    table.add_row("[bold]all[/bold]", *(f"[bold]{n:,}[/bold]" for n in totals))
    return table
