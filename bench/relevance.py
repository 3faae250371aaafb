"""Relevance, judged from sources declass does not write, beside a real peer.

(a) Name expansion. A judged set of (person, spelling) pairs built from hsg/people.tgz
and the persons lists of FRUS China and Soviet volumes, read here with lxml alone: a
person is a people record; its positives are the spellings the record and the persons
lists it cites record (the editors' judgement); its negatives are the spellings of
DIFFERENT people who share its surname, or its surname and first initial. For each
pair, declass expands the person's name as typed (the preferred name, and separately
a spelling from a persons list) and says "same person" when the spelling is among the
variants. Precision and recall of that, and every failure.

(b) Retrieval. Known-item queries on UNGDC (a speaker's surname and the three words
most particular to the speech) and name queries on the FRUS archive: each recorded
spelling of a person who appears in many documents, answered by the documents whose
markup ties a persName to that person's persons-list entries (the volume editors'
judgement, read with lxml). The peer is Tantivy (tantivy-py) BM25 over title and text
with its English stemming tokenizer, at its defaults (the query parser's OR).

    .venv/bin/python bench/relevance.py [--cache DIR] [--skip-ungdc]
"""

from __future__ import annotations

import argparse
import gzip
import math
import re
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CACHE, ROOT, TARBALL, ungdc_archive
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.model import Document
from declass.persons import link_persons
from declass.search.engine import search
from declass.search.expansion import expand_name
from declass.store import open_store
from declass.store.base import Store

CORPORA = ROOT.parent / "shared" / "corpora"
VOLUMES = (
    "frus1955-57v02",
    "frus1955-57v03",
    "frus1958-60v19",
    "frus1961-63v05",
    "frus1961-63v06",
    "frus1964-68v30",
    "frus1969-76v12",
    "frus1969-76ve13",
    "frus1950-55Intel",
)
TEI = {"t": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_PAGE = re.compile(r"/historicaldocuments/([^/#]+)/persons#(.+)$")
_WORD = re.compile(r"[A-Za-z]{5,}")


# -- the judged persons, read independently ----------------------------------------
# Words before or inside a recorded spelling that are ranks and courtesies, not names:
# "General Creighton W. Abrams", "Chancellor Adenauer" (the bench's own judgement).
_RANKS = set(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "lord",
        "lady",
        "madame",
        "mme",
        "general",
        "gen",
        "admiral",
        "adm",
        "colonel",
        "col",
        "captain",
        "capt",
        "marshal",
        "chancellor",
        "premier",
        "president",
        "chairman",
        "ambassador",
        "secretary",
        "senator",
        "minister",
        "prime",
        "foreign",
        "king",
        "queen",
        "prince",
        "princess",
        "the",
        "his",
        "her",
        "excellency",
        "judge",
        "father",
    ]
)


def norm(name: str) -> str:
    """A bench-side comparison form: natural order, no ranks, accents, case or
    punctuation ("Abrams, General Creighton W., Jr." → "creighton w abrams jr")."""
    name = re.sub(r"\([^)]*\)|[“”\"][^“”\"]*[“”\"]", " ", name)
    parts = [p.strip() for p in name.split(",") if p.strip()]
    suffix = ""
    if len(parts) > 1 and parts[-1].lower().rstrip(".") in ("jr", "sr", "ii", "iii"):
        suffix = parts.pop()
    name = f"{parts[1]} {parts[0]}" if len(parts) == 2 else " ".join(parts)
    flat = unicodedata.normalize("NFKD", f"{name} {suffix}")
    flat = "".join(c for c in flat if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[^\w]+", " ", flat.replace("-", "")).split()
    return " ".join(w for w in words if w not in _RANKS)


@dataclass
class Judged:
    pid: str
    preferred: str
    spellings: set[str] = field(default_factory=set)  # as recorded
    entries: set[str] = field(default_factory=set)  # "vol#pid" the record cites
    listed: list[str] = field(default_factory=list)  # names as the persons lists print them

    @property
    def normed(self) -> set[str]:
        return {norm(s) for s in self.spellings if len(norm(s).split()) > 1}

    @property
    def surname(self) -> str:
        return self.preferred.split(",")[0].split()[-1].casefold()


def read_people(path: Path, volumes: Iterable[str]) -> dict[str, Judged]:
    wanted = set(volumes)
    people: dict[str, Judged] = {}
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            root = etree.fromstring(handle.read() if handle else b"<x/>")
            pid = root.findtext("id") or ""
            preferred = (root.findtext("names/preferred/name") or "").strip()
            if not pid or not preferred:
                continue
            j = Judged(pid, preferred, {preferred})
            j.spellings |= {(n.text or "").strip() for n in root.iterfind("names/alternates/name")}
            for original in root.iterfind("names/originals/original"):
                j.spellings.add((original.findtext("name") or "").strip())
                for url in original.iterfind("source-url"):
                    m = _PAGE.search(url.text or "")
                    if m and m[1] in wanted:
                        j.entries.add(f"{m[1]}#{m[2]}")
            j.spellings.discard("")
            people[pid] = j
    return people


def read_persons_lists(volumes: Iterable[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each entry's listed name ("vol#pid" → name), and the documents whose persName
    points at it ("vol#pid" → document ids)."""
    names: dict[str, str] = {}
    docs: dict[str, set[str]] = {}
    for vol in volumes:
        root = etree.fromstring(
            gzip.decompress((CORPORA / "frus" / "volumes" / f"{vol}.xml.gz").read_bytes())
        )
        lists = [
            d
            for d in root.iterfind(".//t:div", TEI)
            if d.get(XML_ID, "").lower() in ("persons", "persname", "listofpersons")
        ]
        for item in (i for d in lists for i in d.iterfind(".//t:item", TEI)):
            target = item.find(".//t:persName[@corresp]", TEI)
            named = next((e for e in item.iter(f"{{{TEI['t']}}}persName") if e.get(XML_ID)), None)
            entry = item.get(XML_ID) or (named.get(XML_ID) if named is not None else None)
            label_el = named if named is not None else item.find(".//t:hi", TEI)
            if not entry or label_el is None or target is not None:
                continue
            names[f"{vol}#{entry}"] = "".join(label_el.itertext()).strip().rstrip(",")
        for div in root.iterfind(".//t:div[@type='document']", TEI):
            for el in div.iterfind(".//t:persName[@corresp]", TEI):
                key = f"{vol}#{el.get('corresp', '').lstrip('#')}"
                docs.setdefault(key, set()).add(f"frus:{vol}:{div.get(XML_ID)}")
    return names, docs


# -- (a) expansion -----------------------------------------------------------------
def expansion_pairs(people: dict[str, Judged]) -> list[tuple[Judged, str, bool]]:
    known = [j for j in people.values() if j.entries and len(j.normed) > 0]
    by_surname: dict[str, list[Judged]] = {}
    for j in people.values():
        by_surname.setdefault(j.surname, []).append(j)
    pairs: list[tuple[Judged, str, bool]] = []
    for j in known:
        for s in sorted(j.normed):
            pairs.append((j, s, True))
        initial = norm(j.preferred.split(",")[-1])[:1] if "," in j.preferred else ""
        for other in by_surname.get(j.surname, []):
            if other.pid == j.pid:
                continue
            other_initial = norm(other.preferred.split(",")[-1])[:1]
            kind = "initial" if initial and other_initial == initial else "surname"
            for s in sorted(other.normed - j.normed):
                pairs.append((j, s, False))
            del kind
    return pairs


def run_expansion(store: Store, people: dict[str, Judged], listed: dict[str, str]) -> None:
    pairs = expansion_pairs(people)
    queries: dict[str, list[str]] = {}
    for j, _, _ in pairs:
        if j.pid not in queries:
            first_listed = next((listed[e] for e in sorted(j.entries) if e in listed), "")
            queries[j.pid] = [q for q in (j.preferred, first_listed) if q]
    tallies = {"preferred name": Counter(), "persons-list name": Counter()}
    failures: list[str] = []
    expanded: dict[str, set[str]] = {}
    started = time.perf_counter()
    for j, spelling, same in pairs:
        for label, query in zip(tallies, queries[j.pid], strict=False):
            if query not in expanded:
                expanded[query] = {norm(v) for v in expand_name(store, query).names}
            said = spelling in expanded[query]
            outcome = ("TP" if said else "FN") if same else ("FP" if said else "TN")
            tallies[label][outcome] += 1
            if outcome in ("FP", "FN"):
                failures.append(f"  {outcome} {query!r} → {spelling!r} (person hsg-{j.pid})")
    took = time.perf_counter() - started
    positives = sum(1 for p in pairs if p[2])
    print(
        f"(a) expansion: {len(pairs)} judged pairs ({positives} same person, "
        f"{len(pairs) - positives} different people of one surname or initial), "
        f"{len({p[0].pid for p in pairs})} persons; {len(expanded)} names expanded "
        f"in {took:.1f}s\n"
    )
    print(f"{'query typed as':22} {'pairs':>6} {'precision':>10} {'recall':>8}")
    for label, t in tallies.items():
        precision = t["TP"] / max(1, t["TP"] + t["FP"])
        recall = t["TP"] / max(1, t["TP"] + t["FN"])
        print(f"{label:22} {sum(t.values()):6} {precision:10.4f} {recall:8.4f}")
    failures.sort(key=lambda f: (not f.startswith("  FP"), f))
    print(f"\nfailures: {len(failures)} (all false positives first, then up to 40 in all):")
    print("\n".join(failures[:40]) or "  none")


# -- (b) retrieval -----------------------------------------------------------------
def tantivy_peer(docs: list[Document], folder: Path) -> Callable[[str, int], list[str]]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    schema = builder.build()
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=128_000_000)
    for d in docs:
        writer.add_document(tantivy.Document(id=d.id, title=d.title, body=d.body))
    writer.commit()
    index.reload()

    def top(query: str, k: int) -> list[str]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        searcher = index.searcher()
        parsed = index.parse_query(" ".join(words), ["title", "body"])
        hits = searcher.search(parsed, k).hits
        return [searcher.doc(addr)["id"][0] for _, addr in hits]

    return top


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float, float, float]:
    rr = next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    at10 = len(set(ranked[:10]) & relevant) / min(10, len(relevant))
    whole = len(set(ranked) & relevant) / len(relevant)
    precise = len(set(ranked) & relevant) / len(ranked) if ranked else 0.0
    return rr, at10, whole, precise


def known_items(docs: list[Document], n: int) -> list[tuple[str, set[str]]]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update({w.lower() for w in _WORD.findall(d.body)})
    total = len(docs)
    chosen = [d for d in docs if d.participants][:: max(1, len(docs) // n)][:n]
    judged = []
    for d in chosen:
        tf = Counter(w.lower() for w in _WORD.findall(d.body))
        best = sorted(tf, key=lambda w: -tf[w] * math.log(total / (1 + df[w])))[:3]
        surname = d.participants[0].name.split()[-1]
        judged.append((" ".join([surname.capitalize(), *best]), {d.id}))
    return judged


def name_queries(
    people: dict[str, Judged], listed: dict[str, str], marked: dict[str, set[str]]
) -> list[tuple[str, set[str]]]:
    judged = []
    ranked = sorted(
        people.values(), key=lambda j: -len(set().union(*[marked.get(e, set()) for e in j.entries]))
    )
    for j in ranked[:25]:
        relevant = set().union(*[marked.get(e, set()) for e in j.entries])
        if len(relevant) < 5:
            break
        spellings = {norm(s): s.split("(")[0].strip() for s in j.spellings}
        spellings.update({norm(listed[e]): listed[e] for e in j.entries if e in listed})
        for s in sorted(spellings.values())[:4]:
            if len(s.split()) > 1:
                natural = s if "," not in s else " ".join(reversed(s.split(",", 1))).strip()
                judged.append((natural, relevant))
    return judged


def table(title: str, rows: dict[str, list[tuple[float, float, float, float]]]) -> None:
    print(f"\n{title}")
    print(f"{'engine':34} {'MRR@10':>7} {'recall@10':>10} {'recall@1000':>12} {'prec@1000':>10}")
    for name, got in rows.items():
        n = max(1, len(got))
        c = [sum(g[i] for g in got) / n for i in range(4)]
        print(f"{name:34} {c[0]:7.3f} {c[1]:10.3f} {c[2]:12.3f} {c[3]:10.3f}")


def evaluate(
    store: Store, docs: list[Document], judged: list[tuple[str, set[str]]], tmp: Path
) -> dict[str, list[tuple[float, float, float, float]]]:
    peer = tantivy_peer(docs, tmp)
    rows: dict[str, list[tuple[float, float, float, float]]] = {
        "declass": [],
        "Tantivy BM25, en_stem, defaults": [],
    }
    for query, relevant in judged:
        ours = [r.doc_id for r in search(store, query, snippets=False, page_size=1000).results]
        rows["declass"].append(scores(ours, relevant))
        rows["Tantivy BM25, en_stem, defaults"].append(scores(peer(query, 1000), relevant))
    return rows


def frus_archive(cache: Path) -> Store:
    """The bench's FRUS volumes and the people authority, ingested once under `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "names.sqlite3"
    done = cache / "names.done"
    if not done.exists():
        for old in cache.glob("names.sqlite3*"):
            old.unlink() if old.is_file() else None
        store = open_store(path)
        started = time.perf_counter()
        vols = [CORPORA / "frus" / "volumes" / f"{v}.xml.gz" for v in VOLUMES]
        ingest(store, vols, default_registry())
        ingest(store, [CORPORA / "hsg" / "people.tgz"], default_registry())
        print(f"FRUS archive ingested in {time.perf_counter() - started:.0f}s")
        done.write_text("ok")
        return store
    store = open_store(path)
    report = link_persons(store)  # level with today's rules (writes nothing if it is)
    if report.links_written:
        print(f"relinked {report.links_written} person records")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--skip-ungdc", action="store_true")
    args = parser.parse_args()
    people = read_people(CORPORA / "hsg" / "people.tgz", VOLUMES)
    listed, marked = read_persons_lists(VOLUMES)
    store = frus_archive(args.cache)
    run_expansion(store, people, listed)
    with tempfile.TemporaryDirectory() as tmp:
        frus_docs = list(store.documents())
        judged = name_queries(people, listed, marked)
        table(
            f"(b) FRUS name queries: {len(judged)} recorded spellings of "
            f"{len({frozenset(r) for _, r in judged})} persons, judged by the volumes' markup",
            evaluate(store, frus_docs, judged, Path(tmp) / "frus"),
        )
        if not args.skip_ungdc:
            ungdc = ungdc_archive(args.tarball, args.cache)
            docs = list(ungdc.documents())
            table(
                "(b) UNGDC known-item queries (60)",
                evaluate(ungdc, docs, known_items(docs, 60), Path(tmp) / "ungdc"),
            )


if __name__ == "__main__":
    main()
