"""The `declass` command: a thin shell over `Archive` and the library below it."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
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

from declass import cli_admin
from declass.access import Audience
from declass.archive import Archive, Config
from declass.errors import DeclassError
from declass.ingest import pipeline
from declass.persons import link_persons
from declass.store.base import Store
from declass.terminal import document_view, stats_view
from declass.terminal_ingest import run_summary

EXIT_REJECTED = 3  # the run finished, but some inputs were rejected

db_option = click.option(
    "--db",
    envvar="DECLASS_DB",
    help="Archive database: a file path (default ./declass-data) or postgresql://URL.",
)
home_option = click.option(
    "--home", envvar="DECLASS_HOME", type=click.Path(path_type=Path), help="Data folder."
)


def _archive(db: str | None, home: Path | None) -> Archive:
    return Archive(Config.from_env(db=db, home=home))


AUDIENCES = click.Choice([a.value for a in Audience])


def _scoped(archive: Archive, audience: str) -> Store:
    """The archive as `audience` may read it (declass.store.scoped)."""
    from declass.store.scoped import ScopedStore

    return ScopedStore(archive.store, Audience(audience))


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
@click.option(
    "--semantic", is_flag=True, help="Also embed what was read, for semantic search and parallels."
)
@click.option(
    "--access-rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Access rules (YAML): which folders, ids or collections are closed, and until when.",
)
@click.option(
    "--access",
    type=click.Choice(["registered", "restricted"]),
    help="Everything read in this run is open only to registered readers, or to staff.",
)
@click.option(
    "--embargo-until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Everything read in this run is closed to all but staff until this day.",
)
def ingest(
    paths: tuple[Path, ...],
    db: str | None,
    home: Path | None,
    quiet: bool,
    mapping: Path | None,
    ocr_workers: int | None,
    ocr_languages: str | None,
    semantic: bool,
    access_rules: Path | None,
    access: str | None,
    embargo_until: datetime | None,
) -> None:
    """Read files, folders, tarballs and manifests into the archive."""
    from declass.ingest.access_rules import load_rules, rules_for_paths
    from declass.model import AccessLevel

    rules = load_rules(access_rules) if access_rules else []
    rules += rules_for_paths(
        list(paths),
        AccessLevel(access) if access else None,
        embargo_until.date() if embargo_until else None,
    )
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

            result = archive.ingest(list(paths), on_progress=show, rules=rules)
        elapsed = time.monotonic() - started
        total = result.added + result.updated + result.unchanged
        Console().print(run_summary(result))
        click.echo(
            f"Ingest run {result.run_id}: {result.added:,} added, {result.updated:,} updated,"
            f" {result.unchanged:,} unchanged, {len(result.skips):,} skipped,"
            f" {len(result.rejections):,} rejected ({total:,} records in {elapsed:.1f}s)"
        )
        if semantic:
            _embed(archive, quiet)
        if result.skips:
            click.echo("Skipped (no records in them):", err=True)
            for skip in result.skips:
                click.echo(f"  {skip.source}: {skip.reason}", err=True)
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
@click.option(
    "--as",
    "audience",
    type=AUDIENCES,
    default="public",
    show_default=True,
    help="Search what this audience may read (staff: everything).",
)
@db_option
@home_option
def search_command(
    query: str,
    as_json: bool,
    no_expand: bool,
    sort: str,
    page: int,
    facets: tuple[str, ...],
    audience: str,
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
                _scoped(archive, audience),
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


@cli.command()
@db_option
@home_option
def migrate(db: str | None, home: Path | None) -> None:
    """Bring the database schema up to date (SQLite or PostgreSQL)."""
    from declass.store import open_store

    config = Config.from_env(db=db, home=home)
    store = open_store(config.db, migrate=False)
    try:
        before = store.schema_version()
        after = store.migrate()
    finally:
        store.close()
    change = f"v{before} → v{after}" if after != before else f"v{after}, already current"
    click.echo(f"Schema of {_shown_db(config.db)}: {change}")


@cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--for",
    "audience",
    type=AUDIENCES,
    help="Only what this audience may read (public: a published dataset). Default: all.",
)
@db_option
@home_option
def export_command(path: Path, audience: str | None, db: str | None, home: Path | None) -> None:
    """Write the whole archive (every version, run and record) to PATH (.jsonl.gz)."""
    from declass.store.transfer import export_archive

    with _archive(db, home) as archive:
        store = _scoped(archive, audience) if audience else archive.store
        counts = export_archive(store, path)
    click.echo(f"Exported to {path}: {_counted(counts)}")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@home_option
def import_command(path: Path, db: str | None, home: Path | None) -> None:
    """Read an export (declass export) into a new, empty archive."""
    from declass.store.transfer import import_archive

    with _archive(db, home) as archive:
        counts = import_archive(archive.store, path)
        click.echo(f"Imported into {_shown_db(archive.config.db)}: {_counted(counts)}")


def _counted(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}s" for kind, n in counts.items()) or "nothing"


def _shown_db(db: str) -> str:
    from declass.store.postgres import redact

    return redact(db)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers", type=int, default=None, help="Server processes.  [default: one per core]"
)
@click.option(
    "--threads",
    type=int,
    default=2,
    show_default=True,
    help="Requests each process runs at once, off its event loop (0: on it).",
)
@click.option("--no-cache", is_flag=True, help="Keep no search results (for benchmarks).")
@db_option
@home_option
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    no_cache: bool,
    db: str | None,
    home: Path | None,
) -> None:
    """Open the reading room: web pages and the JSON API."""
    from declass.web.server import serve as serve_room

    config = Config.from_env(db=db, home=home)
    with Archive(config) as archive:
        # Person links made by earlier matching rules are brought up to date once, here,
        # rather than on every request.
        link_persons(archive.store)
    click.echo(f"Reading room at http://{host}:{port}/ (Ctrl-C to stop)")
    serve_room(config, host, port, workers, cache=not no_cache, threads=threads)


@cli.command("embed")
@db_option
@home_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def embed_command(db: str | None, home: Path | None, quiet: bool) -> None:
    """Embed every document not yet embedded, for semantic search and parallels.

    Resumable: each document is stored as it is done, and a later run (or the
    reading room meanwhile) takes up where this one stopped.
    """
    with _archive(db, home) as archive:
        _embed(archive, quiet)


def _embed(archive: Archive, quiet: bool) -> None:
    """Embed what is not embedded yet, with a progress bar, and say how it went."""
    from declass.embeddings import embed_archive, load_embedder

    console = Console(stderr=True)
    embedder = load_embedder(archive.config.home / "models")
    started = time.monotonic()
    with Progress(
        TextColumn("[bold]embed"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:>8,.0f}/{task.total:,.0f} documents"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
    ) as bar:
        task = bar.add_task("embed", total=None)
        summary = embed_archive(
            archive.store,
            embedder,
            on_progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    elapsed = time.monotonic() - started
    click.echo(
        f"Embedded {summary.documents:,} documents ({summary.passages:,} passages,"
        f" {summary.passages / max(elapsed, 1e-6):,.0f} passages/s);"
        f" {summary.unchanged:,} were current already"
        + (f", {summary.empty:,} have no text." if summary.empty else ".")
    )


@cli.command("parallels")
@click.argument("article", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the parallels as JSON.")
@click.option("--top", type=click.IntRange(min=1, max=50), default=10, show_default=True)
@click.option("--mode", type=click.Choice(["hybrid", "fulltext", "semantic"]), default="hybrid")
@click.option(
    "--min-gap", type=int, default=10, show_default=True, help="Years before the article."
)
@db_option
@home_option
def parallels_command(
    article: Path,
    as_json: bool,
    top: int,
    mode: str,
    min_gap: int,
    db: str | None,
    home: Path | None,
) -> None:
    """The archival record that echoes an article (text file or saved web page)."""
    import json

    from declass.article import read_article_file
    from declass.embeddings import load_embedder
    from declass.parallels import ParallelFinder, result_as_json

    with _archive(db, home) as archive:
        models = archive.config.home / "models"
        embedder = load_embedder(models) if mode != "fulltext" else None
        if embedder is not None:
            covered = len(archive.store.embedded_documents(embedder.name))
            total = len(archive.store.document_ids())
            if covered < total:
                click.echo(
                    f"Semantic index: {covered:,} of {total:,} documents embedded; the"
                    " rest are judged by their words alone. Run `declass embed` once"
                    " (or ingest with --semantic) to let meaning reach them.",
                    err=True,
                )
        finder = ParallelFinder(archive.store, archive.config.home / "ann", embedder)
        result = finder.find(read_article_file(article), top=top, mode=mode, min_gap_years=min_gap)
        if as_json:
            click.echo(json.dumps(result_as_json(result), ensure_ascii=False, indent=2))
            return
        for p in result.parallels:
            e = p.explanation
            gap = f"  [{e.gap_years} years before]" if e.gap_years is not None else ""
            click.echo(f"{p.rank}. {p.label}{gap}")
            for d in p.documents:
                click.echo(f"     {d.doc_id}  {d.title}")
            actors = ", ".join(
                a.name if a.name == a.variant else f"{a.name} (as {a.variant})" for a in e.actors
            )
            click.echo(f"   actors: {actors}")
            if e.themes:
                click.echo(f"   themes: {', '.join(e.themes)}")
            for pair in e.passages:
                click.echo(f"   article: {pair.article.marked()[:300]}")
                click.echo(f"   record:  {pair.record.marked()[:300]}  ({pair.similarity:.2f})")
            click.echo("")


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


for _command in cli_admin.commands(db_option, home_option):  # users, backup, restore, audit
    cli.add_command(_command)


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
