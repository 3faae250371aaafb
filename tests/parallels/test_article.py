"""Reading an article: a saved news page is reduced to its text."""

from __future__ import annotations

from datetime import date

from declass.article import read_article

# SYNTHETIC: a saved news page written for this test, with the furniture real pages have.
NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Old allies, new summit | The Daily Example</title>
<meta name="author" content="Ann Example">
<meta property="article:published_time" content="2025-05-14">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/sport">Sport scores today</a></li></ul></nav>
<div class="paywall">Subscribe now to keep reading: unlimited access for 1 dollar a week.</div>
<article>
<h1>Old allies, new summit</h1>
<p class="byline">By Ann Example</p>
<p>The leaders of Russia and China met in Moscow this week and pledged a partnership
without limits, a phrase that historians compared with the treaty of friendship that
Mao Zedong and Stalin signed in February 1950.</p>
<p>That alliance promised mutual assistance against aggression, Soviet loans and
advisers for Chinese industry, and a common front in the United Nations; within a
decade it had given way to the Sino-Soviet split.</p>
<p>Whether the new partnership lasts longer will depend on the same questions of trust,
borders and unequal power that undid the old one.</p>
</article>
<section id="comments"><h2>Comments</h2>
<div class="comment"><p>Great piece, totally agree with every zebra cucumber word!</p></div>
<div class="comment"><p>First! Click my profile for crypto tips.</p></div>
</section>
<footer>Sign up for our newsletter. Already a subscriber? Log in.</footer>
</body></html>
"""


def test_saved_news_page_is_reduced_to_its_article_text() -> None:
    article = read_article(NEWS_PAGE.encode("utf-8"), "old-allies.html")
    assert "treaty of friendship" in article.text
    assert "Sino-Soviet split" in article.text
    for furniture in ("Sport scores", "Subscribe now", "zebra cucumber", "crypto", "newsletter"):
        assert furniture not in article.text, furniture
    assert "Old allies, new summit" in article.title
    assert article.published == date(2025, 5, 14)


def test_pasted_text_keeps_title_author_and_date() -> None:
    article = read_article("A title\n\nBy Someone\n\n2024-01-02\n\nFirst paragraph.\n\nSecond.")
    assert (article.title, article.author, article.published) == (
        "A title",
        "Someone",
        date(2024, 1, 2),
    )
    assert article.paragraphs == ["First paragraph.", "Second."]
