"""What declass understands of an article before it looks for parallels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from declass.article import Article
from declass.parallels.actors import Mention, find_mentions
from declass.parallels.claims import Claim, Situation, find_claims, find_situation
from declass.parallels.periods import Period, find_periods
from declass.parallels.themes import find_themes
from declass.store.base import Store

# A 2 MB paste is read whole for its passages, but its structure is taken from the
# first 60,000 characters: enough for any article, bounded for the rest.
PROFILE_CHARS = 60_000


@dataclass(frozen=True)
class ArticleProfile:
    """The article's actors, periods, themes, claims and situation."""

    article: Article
    mentions: tuple[Mention, ...]
    periods: tuple[Period, ...]
    themes: tuple[str, ...]
    claims: tuple[Claim, ...] = ()
    situation: Situation = field(default_factory=lambda: Situation((), ()))

    @property
    def year(self) -> int:
        return (self.article.published or date.today()).year

    @property
    def text(self) -> str:
        return f"{self.article.title}\n\n{self.article.text}"[:PROFILE_CHARS]

    def mention(self, key: str) -> Mention | None:
        return next((m for m in self.mentions if m.key == key), None)


def understand(store: Store, article: Article, total: int | None = None) -> ArticleProfile:
    """The article's structure, resolved against the archive (`total`: its size)."""
    present = (article.published or date.today()).year
    text = f"{article.title}\n\n{article.text}"[:PROFILE_CHARS]
    periods = find_periods(text, present)
    spans = [(p.earliest, p.latest) for p in periods if p.latest - p.earliest <= 15]
    mentions = find_mentions(store, text, spans)
    claims = find_claims(text, mentions, present)
    themes = find_themes(store, text, total if total is not None else len(store.document_ids()))
    return ArticleProfile(
        article,
        tuple(mentions),
        tuple(periods),
        tuple(themes),
        tuple(claims),
        find_situation(claims, mentions),
    )
