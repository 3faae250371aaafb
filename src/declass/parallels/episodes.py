"""Episodes: records of one moment between the same actors, shown as one parallel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from declass.model import Document

EPISODE_WINDOW_DAYS = 400  # documents this close, sharing actors, are one episode
EPISODE_MAX_SPAN_DAYS = 3 * 366
EPISODE_MAX_DOCS = 5


@dataclass
class Episode:
    docs: list[Document] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    @property
    def earliest(self) -> date | None:
        days = [d.date.earliest or d.date.latest for d in self.docs if d.date]
        return min((x for x in days if x), default=None)

    @property
    def latest(self) -> date | None:
        days = [d.date.latest or d.date.earliest for d in self.docs if d.date]
        return max((x for x in days if x), default=None)


def _actors(doc: Document) -> set[str]:
    people = {p.authority_id or p.name.casefold() for p in doc.participants if p.name}
    return people | {f"country:{c.code}" for c in doc.countries[:1]}


def _belongs(doc: Document, episode: Episode) -> bool:
    if len(episode.docs) >= EPISODE_MAX_DOCS:
        return False
    if not doc.date or not doc.date.earliest or episode.earliest is None:
        return False
    lo, hi = episode.earliest, episode.latest or episode.earliest
    start = doc.date.earliest
    end = doc.date.latest or start
    if (start - hi).days > EPISODE_WINDOW_DAYS or (lo - end).days > EPISODE_WINDOW_DAYS:
        return False
    if (max(hi, end) - min(lo, start)).days > EPISODE_MAX_SPAN_DAYS:
        return False
    mine = _actors(doc)
    for other in episode.docs:
        if mine & _actors(other):
            return True
        if doc.series and doc.series == other.series and doc.date == other.date:
            return True
    return False


def group_episodes(docs: Sequence[tuple[Document, float]]) -> list[Episode]:
    """Records in rank order, each joining the first episode it belongs to."""
    episodes: list[Episode] = []
    for doc, score in docs:
        home = next((e for e in episodes if _belongs(doc, e)), None)
        if home is None:
            home = Episode()
            episodes.append(home)
        home.docs.append(doc)
        home.scores.append(score)
    return episodes


_KIND_PLURAL = {
    "speech": "speeches",
    "essay": "essays",
    "telegram": "telegrams",
    "memorandum-of-conversation": "memoranda of conversation",
    "memorandum": "memoranda",
    "letter": "letters",
}


def span(lo: date | None, hi: date | None) -> str:
    if lo is None:
        return ""
    if hi is None or hi.year == lo.year:
        return str(lo.year)
    return f"{lo.year}–{hi.year}"


def episode_label(episode: Episode) -> str:
    """One line from the records' metadata: what, who, when."""
    when = span(episode.earliest, episode.latest)
    first = episode.docs[0]
    if len(episode.docs) == 1:
        return f"{first.title} ({when})" if when and when not in first.title else first.title
    kinds = {d.doc_type.value for d in episode.docs}
    who = list(dict.fromkeys(c.name for d in episode.docs for c in d.countries[:1]))
    what = _KIND_PLURAL.get(kinds.pop(), "documents") if len(kinds) == 1 else "documents"
    if all(d.id.startswith("ungdc:") for d in episode.docs):
        what = "General Debate speeches"
    by = f" by {', '.join(who[:3])}" if who else ""
    return f"{len(episode.docs)} {what}{by}, {when}: {first.title} …"
