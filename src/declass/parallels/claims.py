"""The article's structure: its claims, and the situation they describe.

A claim is a sentence that says who did what, when: it names at least one actor, an
event of diplomacy (a visit, an aid request, a treaty, a split, a border clash …) or
a past year. The situation is the article's main pair of actors, the events it
dwells on, and which side of the pair asks and which gives (the asymmetry), read
from the claims. Each event kind carries its words in English, Russian and Chinese,
so that a claim can be matched in a record written in any of them (the article's
names cross scripts through declass.search.variants).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from declass.parallels.actors import Mention
from declass.parallels.periods import years_in

# Event kinds and their words: English stems (matched at a word's start), Russian
# stems, Chinese words. Written for diplomatic prose; checked on the bench articles.
EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "visit": (
        ("visit", "trip", "journey", "travel", "summit", "arriv", "stay", "came to", "went to"),
        ("визит", "поездк", "приезд", "пребыван", "прибыт"),
        ("访问", "访华", "访苏", "出访"),
    ),
    "aid": (
        ("aid", "assistance", "loan", "credit", "adviser", "advisor", "expert", "technician",
         "help", "support", "supplies", "economic cooperation"),
        ("помощ", "кредит", "заём", "займ", "специалист", "советник"),
        ("援助", "贷款", "专家", "帮助"),
    ),
    "treaty": (
        ("treaty", "alliance", "pact", "agreement", "accord", "communiqu", "signed", "sign "),
        ("договор", "союз", "соглашени", "пакт", "коммюнике"),
        ("条约", "同盟", "协定", "公报"),
    ),
    "split": (
        ("split", "rift", "quarrel", "polemic", "rupture", "estrange", "hostil", "break with",
         "withdrew", "withdrawal", "dispute", "conflict", "tension"),
        ("разрыв", "конфликт", "разноглас", "полемик", "отзыв"),
        ("分裂", "论战", "分歧", "撤走"),
    ),
    "border": (
        ("border", "frontier", "clash", "island", "ussuri", "zhenbao", "damansk", "territor"),
        ("границ", "пограничн", "остров", "даманск"),
        ("边界", "边境", "珍宝岛"),
    ),
    "recognition": (
        ("recogni", "diplomatic relations", "embassy", "ambassador", "establish relations"),
        ("признани", "признат", "дипломатическ", "посольств", "посол"),
        ("承认", "建交", "外交关系", "大使"),
    ),
    "talks": (
        ("talk", "negotiat", "conversation", "meeting", "met ", "discuss", "dialogue",
         "letter", "message", "exchange"),
        ("переговор", "беседа", "беседы", "встреч", "письм", "послани"),
        ("会谈", "谈判", "会见", "信件"),
    ),
    "nuclear": (
        ("nuclear", "atomic", "missile", "bomb", "test ban", "warhead"),
        ("ядерн", "атомн", "ракет", "бомб"),
        ("核", "导弹", "原子弹"),
    ),
    "war": (
        ("war", "attack", "invasion", "invade", "shelling", "military", "troops", "aggression"),
        ("войн", "нападени", "агресси", "войск"),
        ("战争", "侵略", "军队", "炮击"),
    ),
    "trade": (
        ("trade", "embargo", "wheat", "grain", "commerce", "export", "import"),
        ("торгов", "эмбарго", "экспорт", "импорт"),
        ("贸易", "禁运", "出口"),
    ),
    "united nations": (
        ("united nations", "security council", "general assembly", " seat", "representation"),
        ("оон", "объединенных наций", "совет безопасности", "генеральн"),
        ("联合国", "安理会", "席位"),
    ),
}  # fmt: skip
# Verbs that put the subject on the asking side of a relationship.
_ASKING = re.compile(r"\b(ask|asked|asks|request|requested|sought|seek|seeks|pleaded|begged|"
                     r"depend|depended|needed|wanted)\b", re.I)  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?;。！？])\s+|\n\s*\n")
MAX_CLAIMS = 16


@dataclass(frozen=True)
class Claim:
    """One sentence of the article that says who did what, and when."""

    index: int
    text: str
    actors: tuple[str, ...]  # Mention keys
    events: tuple[str, ...]
    years: tuple[int, ...]

    @property
    def weight(self) -> float:
        """How much the claim says: actors, events and dates each count."""
        return (
            1.0
            + 0.5 * min(len(self.actors), 3)
            + 0.5 * min(len(self.events), 2)
            + (0.5 if self.years else 0.0)
        )


@dataclass(frozen=True)
class Situation:
    """Who, with whom, doing what; `asking` is the side that asks, depends or seeks."""

    actors: tuple[str, ...]  # the main pair (Mention keys), most named first
    events: tuple[str, ...]
    asking: str = ""

    def describe(self, names: dict[str, str]) -> str:
        who = " and ".join(names.get(a, a) for a in self.actors) or "unnamed parties"
        what = ", ".join(self.events) or "relations"
        side = f"; {names.get(self.asking, self.asking)} the asking side" if self.asking else ""
        return f"{who}: {what}{side}"


def events_in(text: str) -> tuple[str, ...]:
    """The event kinds `text` speaks of, in any of the three languages."""
    low = f" {text.casefold()} "
    found = []
    for kind, (english, russian, chinese) in EVENTS.items():
        if (
            any(_english_hit(low, w) for w in english)
            or any(w in low for w in russian)
            or any(w in text for w in chinese)
        ):
            found.append(kind)
    return tuple(found)


def _english_hit(low: str, stem: str) -> bool:
    at = low.find(stem)
    while at != -1:
        if not low[at - 1].isalpha():
            return True
        at = low.find(stem, at + 1)
    return False


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of `text` with their offsets."""
    out = []
    at = 0
    for piece in _SENTENCE.split(text):
        start = text.find(piece, at) if piece else at
        if piece.strip():
            out.append((max(start, 0), piece.strip()))
        at = max(at, start + len(piece))
    return out


def find_claims(
    text: str, mentions: list[Mention], present: int, most: int = MAX_CLAIMS
) -> list[Claim]:
    """The article's claims, the weightiest `most` of them, in the article's order."""
    found: list[Claim] = []
    for index, (_, sentence) in enumerate(sentences(text)):
        if len(sentence) < 20:
            continue
        low = sentence.casefold()
        actors = tuple(
            m.key for m in mentions if any(s.casefold() in low for s in (m.text, *m.spellings[:6]))
        )
        events = events_in(sentence)
        years = tuple(years_in(sentence, present))
        if actors or events or years:
            found.append(Claim(index, sentence[:1000], actors, events, years))
    best = sorted(found, key=lambda c: (-c.weight, c.index))[:most]
    return sorted(best, key=lambda c: c.index)


def find_situation(claims: list[Claim], mentions: list[Mention]) -> Situation:
    """The main pair of actors, the events they are seen in, and the asking side."""
    pairs: Counter[str] = Counter()
    events: Counter[str] = Counter()
    kinds = {m.key: m.kind for m in mentions}
    for c in claims:
        pairs.update(set(c.actors))
        events.update(c.events)
    # Countries and people both count; the pair is the two most named.
    main = tuple(a for a, _ in pairs.most_common(2) if kinds.get(a))
    asking = ""
    names = {m.key: m for m in mentions}
    for c in claims:
        m = _ASKING.search(c.text)
        if not m or len(c.actors) < 2:
            continue
        before = c.text[: m.start()].casefold()
        for key in c.actors:
            mention = names.get(key)
            if mention and any(s.casefold() in before for s in (mention.text, *mention.spellings)):
                asking = key
                break
        if asking:
            break
    return Situation(main, tuple(e for e, _ in events.most_common(3)), asking)
