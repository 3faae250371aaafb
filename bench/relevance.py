"""Relevance on a judged set built from the UNGDC corpus: declass beside plain BM25.

Judged queries, made from the corpus itself:
  * known-item (60): a description of one speech — the speaker's surname and the
    three words most particular to that speech (highest tf·idf) — answered by it;
  * name spellings (10): a person or place under one spelling, answered by every
    speech that names it under any of its spellings (found by regular expressions).
The baseline is SQLite FTS5 with default settings (unicode61, bm25, no stemming, no
field weights, no name variants) over title and text, with the same AND semantics.
Prints MRR@10 and recall@10 for both.

    .venv/bin/python bench/relevance.py [--tarball PATH] [--cache DIR]
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CACHE, TARBALL, ungdc_archive
from declass.model import Document
from declass.search.engine import search

SPELLINGS = [
    ("Zhou Enlai", r"\b(?:Zhou\s+Enlai|Chou\s+En-?lai)\b"),
    ("Chou En-lai", r"\b(?:Zhou\s+Enlai|Chou\s+En-?lai)\b"),
    ("Mao Zedong", r"\bMao\s+(?:Zedong|Tse-?tung)\b"),
    ("Mao Tse-tung", r"\bMao\s+(?:Zedong|Tse-?tung)\b"),
    ("Deng Xiaoping", r"\b(?:Deng\s+Xiaoping|Teng\s+Hsiao-?p'?ing)\b"),
    ("Beijing", r"\b(?:Beijing|Peking)\b"),
    ("Peking", r"\b(?:Beijing|Peking)\b"),
    ("Xinjiang", r"\b(?:Xinjiang|Sinkiang)\b"),
    ("Gorbachov", r"\bGorbach[eo]v\b"),
    ("Kuomintang", r"\b(?:Kuomintang|Guomindang)\b"),
]
_WORD = re.compile(r"[A-Za-z]{5,}")


def known_items(docs: list[Document], df: Counter[str], n: int) -> list[tuple[str, set[str]]]:
    total = len(docs)
    chosen = [d for d in docs if d.participants][:: max(1, len(docs) // n)][:n]
    judged = []
    for d in chosen:
        tf = Counter(w.lower() for w in _WORD.findall(d.body))
        best = sorted(tf, key=lambda w: -tf[w] * math.log(total / (1 + df[w])))[:3]
        surname = d.participants[0].name.split()[-1]
        judged.append((" ".join([surname.capitalize(), *best]), {d.id}))
    return judged


def baseline(docs: list[Document], folder: Path) -> sqlite3.Connection:
    db = sqlite3.connect(folder / "bm25.sqlite3")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body)")
    with db:
        db.executemany("INSERT INTO t VALUES (?,?,?)", ((d.id, d.title, d.body) for d in docs))
    return db


def baseline_top(db: sqlite3.Connection, query: str) -> list[str]:
    words = re.findall(r"\w+", query)
    match = " AND ".join(f'"{w}"' for w in words)
    return [
        r[0]
        for r in db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY rank LIMIT 10", (match,))
    ]


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    rr = next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    recall = len(set(ranked[:10]) & relevant) / min(10, len(relevant))
    return rr, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    store = ungdc_archive(args.tarball, args.cache)
    docs = list(store.documents())
    df: Counter[str] = Counter()
    for d in docs:
        df.update({w.lower() for w in _WORD.findall(d.body)})
    judged = known_items(docs, df, 60)
    for query, pattern in SPELLINGS:
        rx = re.compile(pattern, re.I)
        judged.append((query, {d.id for d in docs if rx.search(d.body)}))
    with tempfile.TemporaryDirectory() as tmp:
        db = baseline(docs, Path(tmp))
        rows = {"declass": [], "plain BM25 (FTS5 default)": []}
        for query, relevant in judged:
            ours = [r.doc_id for r in search(store, query, snippets=False).results]
            rows["declass"].append(scores(ours, relevant))
            rows["plain BM25 (FTS5 default)"].append(scores(baseline_top(db, query), relevant))
        db.close()
    print(
        f"{len(judged)} judged queries ({len(judged) - len(SPELLINGS)} known-item,"
        f" {len(SPELLINGS)} name spellings)\n"
    )
    print(f"{'engine':28} {'MRR@10':>8} {'recall@10':>10}")
    for name, got in rows.items():
        mrr = sum(r for r, _ in got) / len(got)
        recall = sum(c for _, c in got) / len(got)
        print(f"{name:28} {mrr:8.3f} {recall:10.3f}")
    spell = len(SPELLINGS)
    for name, got in rows.items():
        tail = got[-spell:]
        print(
            f"  {name} on name spellings only: MRR@10 {sum(r for r, _ in tail) / spell:.3f},"
            f" recall@10 {sum(c for _, c in tail) / spell:.3f}"
        )


if __name__ == "__main__":
    main()
