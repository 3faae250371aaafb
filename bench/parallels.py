"""Parallels, judged: declass against a plain BM25 baseline over the article's text.

The bench archive (built once under --cache) holds whole corpora and volumes, never
filtered by relevance: 11 FRUS volumes (the Far East 1949, China and Japan 1952–54,
the China and Soviet Union volumes, the Kennedy–Khrushchev exchanges, Documents on
China 1969–72, the Foundations volume 1969–72),  the DFAT volume
on the recognition of the PRC, the Wilson Center records (the Russian
original of Roshchin's conversation with Mao among them), the UN Charter in six
languages, the Milestones essays, the recognition
histories and the people authority.

The articles are present-day pieces WRITTEN BY US for this bench (synthetic but
realistic op-eds and news stories), in bench/articles/*.md. Each carries its written
judging criteria in its front matter: the actor groups a relevant record must name
(each group a list of spellings, any script), the years it must fall in, and the
subject words of the situation. A record is judged from its own title, text and date
only (bench/parallels.py's `judge`, which shares no code with declass):

- grade 2: dated within the years, names every actor group, and says a subject word;
- grade 1: dated within the years (one year's slack) and names every actor group;
- grade 0: anything else.

Judgements are pooled over three systems' top 10 (declass hybrid, declass
semantic-only, the BM25 baseline); every pooled record is judged, the rest of the
archive stays in as distractors. The baseline is Tantivy's BM25 at its defaults
(English stemming) over title and text, queried with the article's words.

Reported in one run: nDCG@10 and precision@10 per system; the latency of declass
(p50/p95 over the articles, all embedding done ahead) against today's code (the
parallels module at --baseline-rev, run on the same archive); the embedding
throughput of today's `embed` against the new one (the same documents, interleaved
trials); the int8 model's recall@10 against today's vectors; the explanation check
(every shown actor and theme occurs in both texts). `uptime` is printed with each
timing.

    .venv/bin/python bench/parallels.py [--cache DIR] [--build-only] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CACHE, ROOT

CORPORA = ROOT.parent / "shared" / "corpora"
ARTICLES = Path(__file__).resolve().parent / "articles"
# Whole volumes, chosen for the relationships the articles discuss; most of their
# documents are about something else (Japan, Korea, Indochina, Berlin, arms control…)
# and stay in as distractors. Embedding is the cost on a shared 2-core machine: about
# 38,000 passages.
FRUS_VOLUMES = (
    "frus1949v07p1", "frus1952-54v14p2", "frus1955-57v02", "frus1955-57v03",
    "frus1958-60v19", "frus1961-63v05", "frus1961-63v06", "frus1964-68v30",
    "frus1969-76v01", "frus1969-76v12", "frus1969-76ve13",
)  # fmt: skip
DFAT_VOLUMES = ("volume-22-",)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def bench_sources(folder: Path) -> list[Path]:
    """The inputs of the bench archive: whole corpora and whole volumes."""
    folder.mkdir(parents=True, exist_ok=True)
    frus = folder / "frus"
    frus.mkdir(exist_ok=True)
    for volume in FRUS_VOLUMES:
        target = frus / f"{volume}.xml.gz"
        if not target.exists():
            target.write_bytes((CORPORA / "frus" / "volumes" / f"{volume}.xml.gz").read_bytes())
    dfat = folder / "dfat" / "dfat_selected.tgz"
    if not dfat.exists():
        dfat.parent.mkdir(exist_ok=True)
        with (
            tarfile.open(CORPORA / "dfat" / "dfat_volumes_md.tgz") as src,
            tarfile.open(dfat, "w:gz", compresslevel=1) as out,
        ):
            for member in src:
                parts = member.name.split("/")
                if len(parts) > 1 and parts[1].startswith(DFAT_VOLUMES) and member.isfile():
                    out.addfile(member, src.extractfile(member))
    return [
        CORPORA / "hsg" / "people.tgz",
        frus,
        dfat,
        CORPORA / "wilson-center",
        CORPORA / "un-charter",
        CORPORA / "hsg" / "milestones",
        CORPORA / "hsg" / "rdcr",
    ]


def bench_archive(cache: Path):  # type: ignore[no-untyped-def]
    """The bench archive, ingested once (reruns reuse it)."""
    from declass.ingest.pipeline import ingest
    from declass.ingest.registry import default_registry
    from declass.store import open_store

    folder = cache / "parallels-bench"
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(folder / "archive.sqlite3")
    done = folder / "ingest.done"
    if not done.exists():
        started = time.perf_counter()
        result = ingest(store, bench_sources(folder / "sources"), default_registry())
        print(
            f"ingested {result.added:,} records in {time.perf_counter() - started:.0f}s"
            f" ({len(result.rejections)} rejections)"
        )
        done.write_text("ok")
    return store, folder


@dataclass(frozen=True)
class Criteria:
    """Written judging criteria of one article (its front matter)."""

    actors: tuple[tuple[str, ...], ...]
    years: tuple[int, int]
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class BenchArticle:
    name: str
    article: object  # declass.article.Article
    criteria: Criteria


def load_articles(folder: Path = ARTICLES) -> list[BenchArticle]:
    """The bench's articles with their criteria (Markdown with YAML front matter)."""
    import datetime

    import yaml

    from declass.article import Article

    out = []
    for path in sorted(folder.glob("*.md")):
        raw = path.read_text("utf-8")
        _, front, body = raw.split("---", 2)
        meta = yaml.safe_load(front)
        c = meta["criteria"]
        published = meta["published"]
        if isinstance(published, str):
            published = datetime.date.fromisoformat(published)
        out.append(
            BenchArticle(
                path.stem,
                Article(meta["title"], body.strip(), published=published, source=path.name),
                Criteria(
                    tuple(tuple(str(s) for s in group) for group in c["actors"]),
                    (int(c["years"][0]), int(c["years"][1])),
                    tuple(str(s) for s in c["subjects"]),
                ),
            )
        )
    return out


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether `text` (case-folded) holds any of `words` at a word's start."""
    for w in words:
        w = w.casefold()
        if re.search(r"[\u3400-\u9fff]", w):
            if w in text:
                return True
        elif re.search(r"(?<!\w)" + re.escape(w), text):
            return True
    return False


def judge(doc, criteria: Criteria) -> int:  # type: ignore[no-untyped-def]
    """The grade of one record for one article, from the record's own text and date."""
    text = f"{doc.title}\n{doc.body}".casefold()
    if doc.date is None or doc.date.earliest is None:
        return 0
    lo = doc.date.earliest.year
    hi = (doc.date.latest or doc.date.earliest).year
    first, last = criteria.years
    if not all(_mentions(text, group) for group in criteria.actors):
        return 0
    within = lo <= last and first <= hi
    if within and _mentions(text, criteria.subjects):
        return 2
    near = lo <= last + 1 and first - 1 <= hi
    return 1 if near else 0


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def precision_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if grades.get(d, 0) > 0) / k


class Bm25Baseline:
    """Tantivy's BM25 at its defaults (English stemming) over each record's title and
    text, queried with the article's words, any of them."""

    def __init__(self, store, folder: Path) -> None:  # type: ignore[no-untyped-def]
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="en_stem")
        builder.add_text_field("body", tokenizer_name="en_stem")
        schema = builder.build()
        folder.mkdir(parents=True, exist_ok=True)
        done = folder / "built"
        self.index = tantivy.Index(schema, path=str(folder))
        if not done.exists():
            writer = self.index.writer(heap_size=200_000_000, num_threads=1)
            for doc_id in store.document_ids():
                doc = store.document(doc_id)
                writer.add_document(tantivy.Document(id=doc_id, title=doc.title, body=doc.body))
            writer.commit()
            writer.wait_merging_threads()
            done.write_text("ok")
        self.index.reload()

    def rank(self, text: str, limit: int) -> list[str]:
        words = list(dict.fromkeys(w.lower() for w in re.findall(r"[^\W_]+", text)))
        if not words:
            return []
        query = self.index.parse_query(" ".join(words[:1000]), ["title", "body"])
        searcher = self.index.searcher()
        hits = searcher.search(query, limit).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]


def past_only(store, ids: list[str], year: int, gap: int = 10) -> list[str]:  # type: ignore[no-untyped-def]
    """The same rule declass applies: readable records at least `gap` years old."""
    from declass.parallels import readable

    kept = []
    for doc_id in ids:
        doc = store.document(doc_id)
        if readable(doc) and (doc.date is None or doc.date.year <= year - gap):
            kept.append(doc_id)
    return kept


def _load_source(rev: str, path: str, name: str):  # type: ignore[no-untyped-def]
    """A module of declass as it was at `rev` (today's code, the baseline)."""
    import importlib.util

    source = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def shown_records(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The records of the parallels in the order they are shown."""
    return [d.doc_id for p in result.parallels for d in p.documents]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def _occurs(phrase: str, text: str) -> bool:
    """A theme's words in sequence, each allowed an inflection (independent of declass)."""
    words = re.findall(r"[^\W_]+", phrase.casefold())
    if not words:
        return False
    pattern = r"[\W_]+".join(re.escape(w[: max(4, len(w) - 2)]) + r"\w*" for w in words)
    return re.search(r"(?<!\w)" + pattern, text) is not None


def check_explanations(store, bench: BenchArticle, result) -> list[str]:  # type: ignore[no-untyped-def]
    """Every shown actor and theme occurs in both texts; returns the failures."""
    article = bench.article
    article_text = f"{article.title}\n{article.text}".casefold()  # type: ignore[attr-defined]
    failures = []
    for p in result.parallels:
        texts = {d.doc_id: store.document(d.doc_id) for d in p.documents}
        record = "\n".join(f"{d.title}\n{d.body}" for d in texts.values()).casefold()
        for a in p.explanation.actors:
            if a.name.casefold() not in article_text:
                failures.append(f"{bench.name}: actor {a.name!r} not in the article")
            if a.variant.casefold() not in record:
                failures.append(f"{bench.name}: {a.variant!r} not in {p.documents[0].doc_id}")
        for t in p.explanation.themes:
            if not _occurs(t, article_text) or not _occurs(t, record):
                failures.append(f"{bench.name}: theme {t!r} not in both texts")
    return failures


def embed_speed(store, rev: str, folder: Path, docs: int, trials: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Passages a second: today's `embed` against the new one, on the same documents
    copied into fresh archives, trials interleaved (the machine is shared)."""
    from declass.embeddings import embed_archive, load_embedder
    from declass.store import open_store

    old = _load_source(rev, "src/declass/embeddings.py", "declass_embeddings_baseline")
    ids = [d for d in store.document_ids() if d.startswith("frus:")][::97][:docs]
    sample = [store.document(d) for d in ids]
    runners = {
        "today (torch, a document at a time)": (old.embed_archive, old.load_embedder()),
        "new (ONNX, batched, every core)": (embed_archive, load_embedder(folder / "models")),
    }
    if os.environ.get("BENCH_INT8", "1") == "1":
        runners["new (ONNX int8)"] = (embed_archive, load_embedder(folder / "models", "onnx-int8"))
    rates: dict[str, list[float]] = {k: [] for k in runners}
    for trial in range(trials):
        for name, (run, embedder) in runners.items():
            target = folder / f"speed-{trial}-{abs(hash(name))}.sqlite3"
            for old_file in folder.glob(target.name + "*"):
                old_file.unlink()
            fresh = open_store(target)
            for doc in sample:
                fresh.put(doc)
            started = time.perf_counter()
            summary = run(fresh, embedder)
            rates[name].append(summary.passages / (time.perf_counter() - started))
            fresh.close()
            print(f"  {name}: {rates[name][-1]:.1f} passages/s; {uptime()}")
    return {k: float(np.median(v)) for k, v in rates.items()}


def int8_recall(store, folder: Path, rows: int = 1500, queries: int = 150) -> float:  # type: ignore[no-untyped-def]
    """Recall@10 of int8 vectors against today's (PyTorch fp32) vectors: the same
    passages' nearest neighbours, queries and index both quantised."""
    from declass.embeddings import load_embedder

    stored = []
    for v in store.passage_vectors("all-MiniLM-L6-v2"):
        stored.append(v)
        if len(stored) >= rows:
            break
    texts = [store.document(v.doc_id).body[v.start : v.end] for v in stored]
    reference = load_embedder(runtime="torch").encode(texts)
    int8 = load_embedder(folder / "models", "onnx-int8").encode(texts)
    q = np.arange(0, len(texts), max(1, len(texts) // queries))[:queries]
    base = np.setdiff1d(np.arange(len(texts)), q)

    def top(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.argsort(-(a @ b.T), axis=1)[:, :10]

    ref, got = top(reference[q], reference[base]), top(int8[q], int8[base])
    return float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(ref, got, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--baseline-rev", default="5bb5c3a^", help="today's code")
    parser.add_argument("--skip-baseline", action="store_true", help="no run of today's code")
    parser.add_argument("--speed-docs", type=int, default=30)
    parser.add_argument("--speed-trials", type=int, default=2)
    parser.add_argument("--only", default="", help="articles whose name holds this")
    args = parser.parse_args()
    from declass.embeddings import embed_archive, load_embedder
    from declass.parallels import ParallelFinder

    store, folder = bench_archive(args.cache)
    print(f"{len(store.document_ids()):,} documents; {uptime()}")
    embedder = load_embedder(folder / "models")
    summary = embed_archive(store, embedder)
    print(f"embedded {summary.passages:,} passages in {summary.seconds:.0f}s; {uptime()}")
    if args.build_only:
        return
    articles = [a for a in load_articles() if args.only in a.name]
    baseline = Bm25Baseline(store, folder / "bm25")
    finder = ParallelFinder(store, folder / "ann", embedder)
    finder.find(articles[0].article, top=10)  # warm: model, index, caches
    runs: dict[str, dict[str, list[str]]] = {
        "declass hybrid": {},
        "declass semantic": {},
        "BM25": {},
    }
    latency: list[float] = []
    failures: list[str] = []
    shown = 0
    for bench in articles:
        a = bench.article
        started = time.perf_counter()
        result = finder.find(a, top=10)
        latency.append(time.perf_counter() - started)
        runs["declass hybrid"][bench.name] = [
            d.doc_id for p in result.parallels for d in p.documents
        ]
        failures += check_explanations(store, bench, result)
        shown += sum(
            len(p.explanation.actors) + len(p.explanation.themes) for p in result.parallels
        )
        semantic = finder.find(a, top=10, mode="semantic")
        runs["declass semantic"][bench.name] = [
            d.doc_id for p in semantic.parallels for d in p.documents
        ]
        text = f"{a.title}\n\n{a.text}"  # type: ignore[attr-defined]
        year = a.published.year  # type: ignore[attr-defined]
        runs["BM25"][bench.name] = past_only(store, baseline.rank(text, 60), year)
    print(f"ran {len(articles)} articles; {uptime()}")
    rows = []
    per_article: list[list[str]] = []
    scores: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    for bench in articles:
        pool = {d for system in runs.values() for d in system[bench.name][:10]}
        grades = {d: judge(store.document(d), bench.criteria) for d in pool}
        line = [bench.name[:34]]
        for name, system in runs.items():
            ranked = system[bench.name]
            scores[name].append((ndcg_at(ranked, grades), precision_at(ranked, grades)))
            line.append(f"{scores[name][-1][0]:.2f}/{scores[name][-1][1] * 10:.0f}")
        line.append(str(sum(1 for g in grades.values() if g)))
        per_article.append(line)
    table(
        "Per article: nDCG@10 / relevant in top 10",
        ["article", *runs, "judged relevant in pool"],
        per_article,
    )
    for name, values in scores.items():
        rows.append([name, f"{np.mean([v[0] for v in values]):.3f}",
                     f"{np.mean([v[1] for v in values]) * 10:.1f}"])  # fmt: skip
    table(
        f"Relevance: {len(articles)} articles, pooled top-10 of {len(runs)} systems, "
        f"{len(store.document_ids()):,} documents kept",
        ["system", "nDCG@10", "relevant in top 10"],
        rows,
    )
    print(
        f"explanations: {shown} actors and themes shown, {len(failures)} fail the both-texts check"
    )
    for f in failures[:20]:
        print("  ", f)
    lat_rows = [
        ["declass (new)", f"{percentile(latency, 50):.2f}", f"{percentile(latency, 95):.2f}"]
    ]
    if not args.skip_baseline:
        old = _load_source(
            args.baseline_rev, "src/declass/parallels.py", "declass_parallels_baseline"
        )
        old_finder = old.ParallelFinder(
            store, folder / "ann-baseline", load_embedder(runtime="torch")
        )
        old_finder.find(articles[0].article, top=10)
        old_latency = []
        for bench in articles:
            started = time.perf_counter()
            old_finder.find(bench.article, top=10)
            old_latency.append(time.perf_counter() - started)
        lat_rows.append(["today's code", f"{percentile(old_latency, 50):.2f}",
                         f"{percentile(old_latency, 95):.2f}"])  # fmt: skip
    table(f"Latency of one article's parallels, s (all embedded ahead); {uptime()}",
          ["code", "p50", "p95"], lat_rows)  # fmt: skip
    if not args.skip_baseline:
        rates = embed_speed(store, args.baseline_rev, folder, args.speed_docs, args.speed_trials)
        today = rates["today (torch, a document at a time)"]
        table(f"Embedding throughput, median of {args.speed_trials} interleaved trials; {uptime()}",
              ["code", "passages/s", "× today"],
              [[k, f"{v:.1f}", f"{v / today:.2f}"] for k, v in rates.items()])  # fmt: skip
        print(f"int8 recall@10 against today's vectors: {int8_recall(store, folder):.3f}")


if __name__ == "__main__":
    main()
