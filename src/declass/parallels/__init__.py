"""Parallels: from a present-day article to the archival episodes that echo it.

The article is read (declass.article) and understood (profile: its actors resolved
against the authority records, its periods, themes, claims and situation); candidate
records come from its words, its claims' situations, its names in other scripts and
its meaning (retrieval); each candidate is judged claim by claim and the list chosen
to cover the claims (rerank); records of one moment form an episode (episodes); and
each parallel is explained with what both texts hold (explain). finder.py composes
them.
"""

from declass.parallels.actors import DEMONYMS, Mention
from declass.parallels.explain import Explanation, HighlightedText, PassagePair, SharedActor
from declass.parallels.finder import (
    MIN_GAP_YEARS,
    MODES,
    Parallel,
    ParallelDocument,
    ParallelFinder,
    ParallelsResult,
    find_parallels,
    readable,
    result_as_json,
)
from declass.parallels.periods import Period
from declass.parallels.profile import ArticleProfile, understand
from declass.parallels.retrieval import Hit, fuse

__all__ = [
    "DEMONYMS",
    "MIN_GAP_YEARS",
    "MODES",
    "ArticleProfile",
    "Explanation",
    "HighlightedText",
    "Hit",
    "Mention",
    "Parallel",
    "ParallelDocument",
    "ParallelFinder",
    "ParallelsResult",
    "PassagePair",
    "Period",
    "SharedActor",
    "find_parallels",
    "fuse",
    "readable",
    "result_as_json",
    "understand",
]
