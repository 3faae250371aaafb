"""The archive at a glance: its corpora by kind with counts and date spans, the FRUS
volumes by administration and region, and a timeline that counts each record in its own
year and an essay across the whole period it discusses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from declass.model import Collection
from declass.store.base import CollectionSpan, IndexHit
from declass.web.labels import collection_title

# (kind heading, collection ids or id prefixes that belong to it), in the order shown.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Documentary editions", ("frus", "frus-nyr", "dfat")),
    ("Speeches", ("ungdc",)),
    ("Archival records", ("wilson-center", "wilson", "nara", "prc", "pdf-scans")),
    ("Treaties and official texts", ("treaties", "un-charter", "charter")),
    ("Essays and histories", ("rdcr", "milestones", "frus-history", "hsg-publications")),
)
ADMINISTRATIONS = (
    ("pre-truman", "Before 1945"),
    ("truman", "Truman, 1945–1953"),
    ("eisenhower", "Eisenhower, 1953–1961"),
    ("kennedy", "Kennedy, 1961–1963"),
    ("johnson", "Johnson, 1963–1969"),
    ("nixon-ford", "Nixon and Ford, 1969–1977"),
    ("carter", "Carter, 1977–1981"),
    ("reagan", "Reagan, 1981–1989"),
)
# Region or subject of a FRUS volume, from the words of its title; first match wins.
REGIONS: tuple[tuple[str, str], ...] = (
    ("China", r"\bChina\b|\bTaiwan\b|\bTibet\b|\bMongolia\b"),
    ("Soviet Union", r"Soviet|U\.S\.S\.R|Kennedy-Khrushchev|Russia"),
    ("Vietnam and Southeast Asia", r"Vietnam|Laos|Cambodia|Southeast Asia|Indonesia|Burma"),
    ("East Asia and the Pacific", r"Japan|Korea|Philippines|East Asia|Far East|Australasia"),
    ("South Asia", r"South Asia|India|Pakistan|Afghanistan"),
    ("Middle East and Africa", r"Near East|Middle East|Arab|Israel|Iran|Africa|Suez"),
    ("Europe", r"Europe|Germany|Berlin|France|Italy|Britain|NATO|Atlantic"),
    ("The Americas", r"American Republics|Latin America|Cuba|Mexico|Caribbean|Panama"),
)
OTHER_REGION = "Subjects and the world"


def kind_of(collection_id: str) -> str:
    prefix = collection_id.split(":", 1)[0]
    for heading, members in KINDS:
        if collection_id in members or prefix in members:
            return heading
    return "Other collections"


def region_of(title: str) -> str:
    for region, pattern in REGIONS:
        if re.search(pattern, title):
            return region
    return OTHER_REGION


def span_words(span: CollectionSpan | None) -> str:
    """ "1964–1968", "1969", or "" for a collection none of whose documents is dated."""
    if span is None or not span.earliest:
        return ""
    first, last = span.earliest[:4], (span.latest or span.earliest)[:4]
    return first if first == last else f"{first}–{last}"


def corpora(
    collections: Sequence[Collection], spans: dict[str, CollectionSpan], href: Any
) -> list[dict[str, Any]]:
    """The top-level collections that hold documents, grouped by kind, largest first
    within a kind; a collection without a readable document is left out."""
    cards: dict[str, list[dict[str, Any]]] = {}
    for c in collections:
        span = spans.get(c.id)
        if c.parent is not None or span is None or span.documents == 0:
            continue
        cards.setdefault(kind_of(c.id), []).append(
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "documents": span.documents,
                "span": span_words(span),
                "href": href(c.id),
            }
        )
    order = [k for k, _ in KINDS] + ["Other collections"]
    return [
        {"kind": kind, "collections": sorted(cards[kind], key=lambda x: -x["documents"])}
        for kind in order
        if kind in cards
    ]


def frus_volumes(
    collections: Sequence[Collection], spans: dict[str, CollectionSpan], href: Any
) -> dict[str, Any]:
    """The FRUS volumes held, by administration and by region or subject."""
    volumes = []
    for c in collections:
        span = spans.get(c.id)
        if c.kind != "volume" or not c.id.startswith("frus:") or span is None:
            continue
        ids = dict(c.identifiers)
        volumes.append(
            {
                "id": c.id,
                "title": collection_title(c),
                "full_title": c.title,
                "documents": span.documents,
                "span": (c.coverage.label if c.coverage else "") or span_words(span),
                "administration": ids.get("administration", ""),
                "region": region_of(c.title),
                "href": href(c.id),
            }
        )
    volumes.sort(key=lambda v: v["id"])
    names = dict(ADMINISTRATIONS)
    by_admin = [
        {"id": key, "label": label, "volumes": [v for v in volumes if v["administration"] == key]}
        for key, label in ADMINISTRATIONS
    ]
    known = set(names)
    rest = [v for v in volumes if v["administration"] not in known]
    if rest:
        by_admin.append({"id": "other", "label": "Other volumes", "volumes": rest})
    region_order = [r for r, _ in REGIONS] + [OTHER_REGION]
    by_region = [
        {
            "label": region,
            "id": "region-" + re.sub(r"[^a-z]+", "-", region.lower()).strip("-"),
            "volumes": [v for v in volumes if v["region"] == region],
        }
        for region in region_order
    ]
    return {
        "volumes": len(volumes),
        "documents": sum(v["documents"] for v in volumes),
        "by_administration": [g for g in by_admin if g["volumes"]],
        "by_region": [g for g in by_region if g["volumes"]],
    }


def timeline_series(year_counts: dict[int, int], essays: Iterable[IndexHit]) -> dict[str, Any]:
    """Records per year, each counted in the year it is dated (an essay's start year
    taken out), and essays per year, each counted in every year of the period it
    discusses; every year of the span is present, so the axis is even in time."""
    records = dict(year_counts)
    covering: dict[int, int] = {}
    spans = []
    for hit in essays:
        start = hit.date_start[:4]
        end = hit.date_end[:4] if hit.date_end and hit.date_end < "9999" else start
        if not start.isdigit():
            continue
        first, last = int(start), int(end) if end.isdigit() else int(start)
        if first in records:
            records[first] -= 1
            if records[first] <= 0:
                del records[first]
        for year in range(first, max(first, last) + 1):
            covering[year] = covering.get(year, 0) + 1
        spans.append({"id": hit.doc_id, "title": hit.title, "start": first, "end": last})
    years = sorted(set(records) | set(covering))
    if not years:
        return {"years": [], "records": [], "essays": [], "spans": [], "ticks": []}
    every = list(range(years[0], years[-1] + 1))
    step = next(s for s in (1, 2, 5, 10, 25, 50, 100) if len(every) / s <= 16)
    return {
        "years": every,
        "records": [records.get(y, 0) for y in every],
        "essays": [covering.get(y, 0) for y in every],
        "spans": spans,
        "ticks": [y for y in every if y % step == 0],
    }
