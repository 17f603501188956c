"""A generated news site of N articles, for crawl benchmarks at scale.

Every page is built on request from the article number alone, so the same N
always gives the same site, byte for byte, without writing files. Articles
read like news (headline, byline, date, standfirst, paragraphs, a captioned
and credited photo, attributed quotes, tags); the home page paginates through
all of them and a sitemap index lists every article.
"""

from __future__ import annotations

import html
import random
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from newsarchive.server.resources import Resource

PAGE_SIZE = 50  # article links per listing page
SITEMAP_SIZE = 5000  # URLs per sitemap file (the protocol allows 50,000)
FIRST_PUBLISHED = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
PUBLISH_INTERVAL = timedelta(minutes=47)
NOT_FOUND_BODY = b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"
LAST_MODIFIED = FIRST_PUBLISHED.timestamp()  # fixed, so validators are stable

PLACES = (
    "Harbourside",
    "Eastside",
    "Northbank",
    "Point Carrick",
    "Old Town",
    "Riverside",
    "West Quay",
    "Millbrook",
    "Saltmarsh",
    "Kingsferry",
    "Gullhaven",
    "Stonebridge",
)
SUBJECTS = (
    "council",
    "port authority",
    "ferry operator",
    "fishing fleet",
    "hospital trust",
    "rail company",
    "school board",
    "lifeboat crew",
    "shipyard",
    "water company",
    "museum",
    "football club",
)
ACTIONS = (
    "approves",
    "rejects",
    "delays",
    "unveils",
    "defends",
    "scraps",
    "expands",
    "reviews",
    "funds",
    "pauses",
)
OBJECTS = (
    "new harbour wall",
    "night-time ferry service",
    "quay redevelopment",
    "parking charges",
    "flood defences",
    "cycle lane plan",
    "summer festival",
    "bus timetable",
    "pier restoration",
    "wind farm cable route",
    "housing scheme",
    "fish market move",
)
FIRST_NAMES = (
    "Ruth",
    "Tom",
    "Amira",
    "Colin",
    "Priya",
    "Gary",
    "Fiona",
    "Henrik",
    "Jenny",
    "Malcolm",
    "Sabine",
    "Karim",
    "Eleanor",
    "Dave",
    "Sarah",
    "Marion",
)
LAST_NAMES = (
    "Pemberton",
    "Okafor",
    "Haddad",
    "Wray",
    "Nair",
    "Lunn",
    "Grant",
    "Aas",
    "Mowat",
    "Reed",
    "Vogt",
    "Benali",
    "Marsh",
    "Pollard",
    "Lin",
    "Clegg",
)
ROLES = (
    "a local councillor",
    "the chief executive",
    "a spokesperson for the campaign",
    "the harbour master",
    "a union representative",
    "a resident of forty years",
)
SECTIONS = ("news", "business", "community", "politics")
CREDITS = (
    "Photograph: Sam Reid",
    "Photo: Priya Nair",
    "Photograph: Harbour Herald archive",
    "Photo: Reuters",
)
SENTENCES = (
    "The {subject} said the decision on the {object} had followed months of consultation.",
    "Residents of {place} have raised concerns about noise, traffic and the cost to taxpayers.",
    "A report presented to the meeting put the cost of the {object} at £{money}m.",
    "Opposition members argued that the plan had been rushed through without enough scrutiny.",
    "Work is expected to begin in {month} and to take about {months} months.",
    "Figures published last week showed that {percent}% of people in {place} supported change.",
    "The {subject} has promised to publish a full timetable before the end of the year.",
    "Local businesses said they had not been told how long the disruption would last.",
    "Similar schemes elsewhere on the coast have run over budget by as much as a third.",
    "A public meeting will be held at {place} library next {weekday} evening.",
)
QUOTES = (
    "We have listened carefully and we believe this is the right thing for {place}",
    "Nobody asked the people who actually live here what they wanted",
    "This is about the next fifty years, not the next election",
    "We will keep a close eye on every penny that is spent",
    "It is good news, but the details matter and we have not seen them yet",
)
MONTHS = ("January", "March", "April", "June", "September", "October", "November")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday")

_ARTICLE_PATH = re.compile(r"^/news/\d{4}/\d{2}/\d{2}/[a-z0-9-]+-(\d+)\.html$")
_PAGE_PATH = re.compile(r"^/page/(\d+)/$")
_SITEMAP_PATH = re.compile(r"^/sitemaps/articles-(\d+)\.xml$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class GeneratedArticle:
    """The deterministic content of article number ``number``."""

    def __init__(self, number: int) -> None:
        rng = random.Random(f"newsarchive-generated-{number}")
        self.number = number
        self.place = rng.choice(PLACES)
        self.subject = rng.choice(SUBJECTS)
        self.object = rng.choice(OBJECTS)
        self.headline = f"{self.place} {self.subject} {rng.choice(ACTIONS)} {self.object}"
        self.section = rng.choice(SECTIONS)
        self.author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        self.published = FIRST_PUBLISHED + PUBLISH_INTERVAL * number
        values = {
            "place": self.place,
            "subject": self.subject,
            "object": self.object,
            "money": rng.randint(2, 240),
            "month": rng.choice(MONTHS),
            "months": rng.randint(3, 30),
            "percent": rng.randint(20, 80),
            "weekday": rng.choice(WEEKDAYS),
        }
        self.standfirst = (
            f"The {self.subject} in {self.place} has made its decision on the {self.object}, "
            f"and not everyone is happy."
        )
        sentences = [s.format(**values) for s in rng.sample(SENTENCES, k=len(SENTENCES))]
        self.paragraphs = [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
        self.quotes = []
        for quote in rng.sample(QUOTES, k=2):
            speaker = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            self.quotes.append((quote.format(**values), speaker, rng.choice(ROLES)))
        self.caption = f"The site of the proposed {self.object} in {self.place}"
        self.credit = rng.choice(CREDITS)
        self.tags = [self.place, self.subject.title(), self.section.title()]

    @property
    def path(self) -> str:
        day = self.published.strftime("%Y/%m/%d")
        return f"/news/{day}/{_slug(self.headline)}-{self.number}.html"

    def render(self, base_url: str) -> str:
        esc = html.escape
        body: list[str] = [f"<p>{esc(p)}</p>" for p in self.paragraphs]
        for position, (quote, speaker, role) in zip((1, 3), self.quotes, strict=True):
            body.insert(position, f"<p>“{esc(quote)},” said {esc(speaker)}, {esc(role)}.</p>")
        tags = " ".join(f'<a href="/tag/{_slug(t)}/" rel="tag">{esc(t)}</a>' for t in self.tags)
        iso = self.published.isoformat()
        return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{esc(self.headline)} | The Generated Gazette</title>
<meta property="og:type" content="article"><meta property="og:title" content="{esc(self.headline)}">
<meta property="og:site_name" content="The Generated Gazette">
<meta property="article:published_time" content="{iso}">
<link rel="canonical" href="{base_url}{self.path}"></head>
<body><header><a href="/">The Generated Gazette</a> <nav><a href="/">Home</a></nav></header>
<main><article><h1>{esc(self.headline)}</h1>
<p class="standfirst">{esc(self.standfirst)}</p>
<p class="byline">By <a href="/author/{_slug(self.author)}/" rel="author">{esc(self.author)}</a></p>
<time datetime="{iso}">{self.published.strftime("%d %B %Y %H:%M")} UTC</time>
<figure><img src="/img/{self.number}.png" alt="{esc(self.caption)}">
<figcaption>{esc(self.caption)}. <span class="credit">{esc(self.credit)}</span></figcaption>
</figure>
<div class="article-body">{"".join(body)}</div>
<footer class="tags">{tags}</footer></article>
<aside class="newsletter">Sign up to our free morning newsletter.</aside></main>
<footer>© The Generated Gazette</footer></body></html>"""


@lru_cache(maxsize=4096)
def generated_article(number: int) -> GeneratedArticle:
    return GeneratedArticle(number)


class GeneratedSite:
    """A site of ``count`` generated articles (numbers 1..count), newest first on the home page."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("a generated site needs at least one article")
        self.count = count

    @property
    def pages(self) -> int:
        return (self.count + PAGE_SIZE - 1) // PAGE_SIZE

    def resolve(self, path: str, base_url: str) -> Resource:
        if path in ("/", "/page/1/"):
            return self._html(self._listing(1))
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /private/\n\nSitemap: {base_url}/sitemap_index.xml\n"
            return self._resource(text, "text/plain; charset=utf-8")
        if path == "/sitemap_index.xml":
            return self._resource(self._sitemap_index(base_url), "application/xml; charset=utf-8")
        for pattern, handler in (
            (_PAGE_PATH, self._listing),
            (_SITEMAP_PATH, lambda k: self._sitemap(k, base_url)),
        ):
            match = pattern.match(path)
            if match:
                body = handler(int(match.group(1)))
                if body is not None:
                    ctype = "text/html" if pattern is _PAGE_PATH else "application/xml"
                    return self._resource(body, f"{ctype}; charset=utf-8")
        match = _ARTICLE_PATH.match(path)
        if match and 1 <= int(match.group(1)) <= self.count:
            article = generated_article(int(match.group(1)))
            if article.path == path:
                return self._html(article.render(base_url))
        return Resource(status=404, body=NOT_FOUND_BODY)

    def _listing(self, page: int) -> str | None:
        if not 1 <= page <= self.pages:
            return None
        newest = self.count - (page - 1) * PAGE_SIZE
        numbers = range(newest, max(newest - PAGE_SIZE, 0), -1)
        items = "".join(
            f'<li><a href="{generated_article(n).path}">'
            f"{html.escape(generated_article(n).headline)}</a></li>"
            for n in numbers
        )
        nav = []
        if page > 1:
            nav.append(f'<a rel="prev" href="/page/{page - 1}/">Newer</a>')
        if page < self.pages:
            nav.append(f'<a rel="next" href="/page/{page + 1}/">Older</a>')
        return (
            '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>The Generated Gazette - page {page}</title></head><body>"
            f"<h1>The Generated Gazette</h1><ul>{items}</ul>"
            f'<nav class="pagination">{" ".join(nav)}</nav></body></html>'
        )

    def _sitemap_index(self, base_url: str) -> str:
        files = (self.count + SITEMAP_SIZE - 1) // SITEMAP_SIZE
        entries = "".join(
            f"<sitemap><loc>{base_url}/sitemaps/articles-{k}.xml</loc></sitemap>"
            for k in range(1, files + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
            "</sitemapindex>"
        )

    def _sitemap(self, k: int, base_url: str) -> str | None:
        first = (k - 1) * SITEMAP_SIZE + 1
        if k < 1 or first > self.count:
            return None
        last = min(first + SITEMAP_SIZE - 1, self.count)
        urls = "".join(
            f"<url><loc>{base_url}{generated_article(n).path}</loc>"
            f"<lastmod>{generated_article(n).published.isoformat()}</lastmod></url>"
            for n in range(first, last + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    def _html(self, text: str | None) -> Resource:
        if text is None:
            return Resource(status=404, body=NOT_FOUND_BODY)
        return self._resource(text, "text/html; charset=utf-8")

    @staticmethod
    def _resource(text: str, content_type: str) -> Resource:
        return Resource(
            body=text.encode("utf-8"), content_type=content_type, last_modified=LAST_MODIFIED
        )
