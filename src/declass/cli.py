"""The `declass` command: a thin shell over `Archive` and the library below it."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from declass.archive import Archive, Config
from declass.errors import DeclassError
from declass.ingest import pipeline
from declass.terminal import document_view, stats_view

EXIT_REJECTED = 3  # the run finished, but some inputs were rejected

db_option = click.option(
    "--db", envvar="DECLASS_DB", help="Archive database: a file path (default ./declass-data)."
)
home_option = click.option(
    "--home", envvar="DECLASS_HOME", type=click.Path(path_type=Path), help="Data folder."
)


def _archive(db: str | None, home: Path | None) -> Archive:
    return Archive(Config.from_env(db=db, home=home))


@click.group()
@click.version_option(package_name="declass")
def cli() -> None:
    """declass: a reading room for declassified diplomatic records."""


@cli.command()
@db_option
@home_option
def init(db: str | None, home: Path | None) -> None:
    """Create the archive (or bring its schema up to date)."""
    with _archive(db, home) as archive:
        click.echo(
            f"Archive ready at {archive.config.db} (schema v{archive.store.schema_version()})"
        )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@home_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Manifest column mapping (TOML); default NAME.mapping.toml beside the manifest.",
)
@click.option("--ocr-workers", type=click.IntRange(min=1), help="Pages OCRed at once.")
@click.option("--ocr-languages", help="Tesseract models when nothing names the language.")
def ingest(
    paths: tuple[Path, ...],
    db: str | None,
    home: Path | None,
    quiet: bool,
    mapping: Path | None,
    ocr_workers: int | None,
    ocr_languages: str | None,
) -> None:
    """Read files, folders, tarballs and manifests into the archive."""
    console = Console(stderr=True)
    config = Config.from_env(db=db, home=home)
    given = {"ocr_workers": ocr_workers, "ocr_languages": ocr_languages, "mapping": mapping}
    readers = replace(config.readers, **{k: v for k, v in given.items() if v is not None})
    with Archive(replace(config, readers=readers)) as archive:
        started = time.monotonic()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[records]:>8,} records  {task.fields[rate]:>7,.0f}/s"),
            TextColumn("[red]{task.fields[rejected]} rejected"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet or not console.is_terminal,
            transient=False,
        ) as bar:
            task = bar.add_task("ingest", total=None, records=0, rate=0.0, rejected=0)

            def show(p: pipeline.Progress) -> None:
                elapsed = max(time.monotonic() - started, 1e-6)
                bar.update(
                    task,
                    total=p.total_bytes or None,
                    completed=p.done_bytes,
                    records=p.records,
                    rate=p.records / elapsed,
                    rejected=p.rejected,
                    description=Path(p.current).name[:32] if p.current else "ingest",
                )

            result = archive.ingest(list(paths), on_progress=show)
        elapsed = time.monotonic() - started
        total = result.added + result.updated + result.unchanged
        click.echo(
            f"Ingest run {result.run_id}: {result.added:,} added, {result.updated:,} updated,"
            f" {result.unchanged:,} unchanged, {len(result.rejections):,} rejected"
            f" ({total:,} records in {elapsed:.1f}s)"
        )
        if result.rejections:
            click.echo("Rejected:", err=True)
            for r in result.rejections:
                where = f"{r.source}, {r.position}" if r.position else r.source
                click.echo(f"  {where}: {r.reason}", err=True)
            click.echo(f"Quarantine report: {archive.config.quarantine_report}", err=True)
            sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("doc_id")
@click.option("--version", "version", type=int, help="Show an earlier version.")
@db_option
@home_option
def show(doc_id: str, version: int | None, db: str | None, home: Path | None) -> None:
    """Show one document: metadata, text with structure, and notes."""
    with _archive(db, home) as archive:
        doc = archive.document(doc_id, version)
        Console().print(document_view(doc, version))


@cli.command()
@click.argument("doc_id")
@db_option
@home_option
def versions(doc_id: str, db: str | None, home: Path | None) -> None:
    """List the stored versions of a document."""
    with _archive(db, home) as archive:
        table = Table("version", "stored", "ingest run", "content hash", "source")
        for v in archive.versions(doc_id):
            table.add_row(
                str(v.number), v.created_at, str(v.ingest_run or ""), v.content_hash[:12], v.source
            )
        Console().print(table)


@cli.command()
@db_option
@home_option
def stats(db: str | None, home: Path | None) -> None:
    """What is in the archive."""
    with _archive(db, home) as archive:
        Console().print(stats_view(archive.stats(), archive.config.db))


@cli.command()
@click.option("--run", "run_id", type=int, help="Only this ingest run.")
@db_option
@home_option
def rejections(run_id: int | None, db: str | None, home: Path | None) -> None:
    """List quarantined inputs: the file, where in it, and why."""
    with _archive(db, home) as archive:
        for r in archive.store.rejections(run_id):
            where = f"{r.source}, {r.position}" if r.position else r.source
            click.echo(f"{escape(where)}: {r.reason}")


@cli.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--no-expand", is_flag=True, help="Search names only as typed.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--facet", "facets", multiple=True, help="Narrow by a facet: field:value.")
@db_option
@home_option
def search_command(
    query: str,
    as_json: bool,
    no_expand: bool,
    sort: str,
    page: int,
    facets: tuple[str, ...],
    db: str | None,
    home: Path | None,
) -> None:
    """Search the archive: words, "phrases", AND/OR/NOT, field:value, date:1949..1950."""
    import json

    from declass.errors import QueryError
    from declass.search.engine import search
    from declass.terminal_search import results_as_json, results_view

    with _archive(db, home) as archive:
        try:
            found = search(
                archive.store,
                query,
                expand=not no_expand,
                sort=sort,
                page=page,
                facets=list(facets),
            )
        except QueryError as exc:
            pointer = " " * (len("declass: ") + exc.position) + "^"
            click.echo(f"declass: {query}\n{pointer}", err=True)
            raise
        if as_json:
            click.echo(json.dumps(results_as_json(found), ensure_ascii=False, indent=2))
        else:
            Console().print(results_view(found))


@cli.group()
def fetch() -> None:
    """Download public sources (needs the network)."""


@fetch.command("frus")
@click.argument("volume_ids", nargs=-1)
@click.option(
    "--dest", type=click.Path(path_type=Path), default=None, help="Folder (default HOME/frus)."
)
@click.option("--base-url", default=None, help="Where the volumes are served.")
@click.option("--ingest/--no-ingest", "then_ingest", default=False, help="Ingest after download.")
@db_option
@home_option
def fetch_frus(
    volume_ids: tuple[str, ...],
    dest: Path | None,
    base_url: str | None,
    then_ingest: bool,
    db: str | None,
    home: Path | None,
) -> None:
    """Download FRUS volumes (TEI) from the Office of the Historian's public repository."""
    from declass import fetch as fetching

    config = Config.from_env(db=db, home=home)
    ids = list(volume_ids) or list(fetching.SAMPLE_VOLUMES)
    target = dest or config.home / "frus"
    kwargs = {"base_url": base_url} if base_url else {}
    click.echo(f"Fetching {len(ids)} FRUS volume(s) into {target} ...")
    paths = fetching.fetch_frus(ids, target, **kwargs)
    for p in paths:
        click.echo(f"  {p}")
    if then_ingest:
        with Archive(config) as archive:
            result = archive.ingest(paths)
            click.echo(
                f"Ingested: {result.added:,} added, {result.updated:,} updated,"
                f" {result.unchanged:,} unchanged, {len(result.rejections):,} rejected"
            )


def main() -> None:
    """Entry point: errors become one clear sentence, not a traceback."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DeclassError as exc:
        click.echo(f"declass: {exc}", err=True)
        sys.exit(1)
    except SystemExit:
        raise


if __name__ == "__main__":
    main()
