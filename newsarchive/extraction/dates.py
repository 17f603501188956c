"""Publication and modification dates: found in structured data first, normalized to RFC 3339.

Order of trust: JSON-LD, meta tags, microdata, ``<time>`` elements, a date in the
URL, a labelled date ("Published: ..."), the date shown below the headline
(else a dateline right above it; the headline is the ``<h1>`` the page title
names), then htmldate's fast search (markup patterns of many CMSs, dates in headings
and text), and last our own scan of the first texts of the page. What readers
see checks the structured data: a stated publication day the page shows
nowhere gives way to the date below the headline, and a UTC time on another
day than the permalink's takes the permalink's day.

The page's own UTC offset is kept (a researcher wants the local publication
time); a date without a time becomes midnight in the page's offset when the
page states one elsewhere, or stays a plain date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import htmldate
import lxml.etree

from newsarchive.extraction import pageindex, structured
from newsarchive.extraction.document import Document
from newsarchive.extraction.headline import title_text
from newsarchive.extraction.survey import survey
from newsarchive.extraction.text import visible_texts

log = logging.getLogger(__name__)

# Meta tag names in order of trust, for each date.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "article:post_date",
    "og:updated_time",
    "article:modified_time",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "datemodified",
    "og:updated_time",
    "last-modified",
    "dcterms.modified",
)

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?"
)
_COMPACT = re.compile(
    r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:T?(?P<H>\d{2})(?P<M>\d{2}))?"
)
_DOTTED = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?!\d|\.\d)"
    r"(?:[,|\s]*(?:um\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2}))?"
)
# Month names (and common abbreviations) of the languages news sites use most.
_MONTH_NAMES = {
    1: "january jan januar jänner janvier enero gennaio januari janeiro stycznia leden ocak "
    "ledna januára sausio ianuarie gener tammikuuta siječnja január января січня януари "
    "ιανουαρίου",
    2: "february feb februar février fevrier febrero febbraio februari fevereiro lutego únor şubat "
    "února februára vasario februarie febrer helmikuuta veljače február февраля лютого "
    "февруари φεβρουαρίου",
    3: "march mar märz maerz mars marzo maart março marca březen mart "
    "března kovo martie març maaliskuuta ožujka március марта березня март μαρτίου",
    4: "april apr avril abril aprile kwietnia duben nisan "
    "dubna apríla balandžio aprilie huhtikuuta travnja április апреля квітня април απριλίου",
    5: "may mai mayo maggio mei maio maja květen mayıs "
    "května mája gegužės maig maj toukokuuta svibnja május мая травня май μαΐου",
    6: "june jun juni juin junio giugno junho czerwca červen haziran "
    "června júna birželio iunie juny kesäkuuta lipnja június июня червня юни ιουνίου",
    7: "july jul juli juillet julio luglio julho lipca červenec temmuz "
    "července júla liepos iulie juliol heinäkuuta srpnja július июля липня юли ιουλίου",
    8: "august aug août aout agosto augustus sierpnia srpen ağustos "
    "srpna augusta rugpjūčio agost augusti elokuuta kolovoza augusztus августа серпня август "
    "αυγούστου",
    9: "september sep sept septembre septiembre settembre setembro września září eylül "
    "septembra rugsėjo septembrie setembre syyskuuta rujna szeptember сентября вересня "
    "септември σεπτεμβρίου",
    10: "october oct oktober octobre octubre ottobre outubro października říjen ekim "
    "října októbra spalio octombrie lokakuuta október октября жовтня октомври οκτωβρίου",
    11: "november nov novembre noviembre novembro listopada listopad kasım "
    "listopadu novembra lapkričio noiembrie marraskuuta ноября листопада ноември νοεμβρίου",
    12: "december dec dezember décembre decembre diciembre dicembre dezembro grudnia prosinec "
    "aralık prosince decembra gruodžio decembrie desembre joulukuuta prosinca декабря грудня "
    "декември δεκεμβρίου",
}
_MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_ALT = "|".join(sorted((re.escape(n) for n in _MONTHS), key=len, reverse=True))
_TIME_TAIL = (
    r"(?:[,|\s]+(?:um\s+|at\s+|à\s+|-\s+)?(?P<H>\d{1,2})[:.h](?P<M>\d{2})"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?)?(?:\s*(?P<tz>Z\b|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{3,4}\b))?)?"
)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<d>\d{{1,2}})\.?\s+(?:de\s+)?(?P<mon>{_MONTH_ALT})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})"
    + _TIME_TAIL,
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<mon>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
    + _TIME_TAIL,
    re.IGNORECASE,
)
# "26 | 01 | 2022", "26-01-2022": day first with one separator used twice (never "/",
# which the US writes month first).
_DAY_FIRST_SEPARATED = re.compile(
    r"(?<![\d.|-])(?P<d>[0-3]?\d)\s?(?P<sep>[|-])\s?(?P<m>[01]?\d)\s?(?P=sep)\s?(?P<y>(?:19|20)\d{2})"
    r"(?![\d|-])"
)
# "15/07/2014": day first in most of the world, month first in the US; read both ways
# where only the question "does the page show this day?" is asked.
_SLASHED = re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![\d/])")
# Year first: "2019年6月24日" (Chinese, Japanese), "2019년 6월 24일" (Korean), "2020. február 19."
_CJK_DATE = re.compile(r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]")
_YEAR_MONTH_DAY = re.compile(
    rf"\b(?P<y>\d{{4}})\.\s+(?P<mon>{_MONTH_ALT})\s+(?P<d>\d{{1,2}})\b", re.IGNORECASE
)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|-|$)")
# A path segment that is a day-first date alone: ".../meldungen/29-10-2021"
_URL_DAY_FIRST = re.compile(
    r"/(?P<d>[0-3]?\d)[.-](?P<m>[01]?\d)[.-](?P<y>(?:19|20)\d{2})(?:/|\.html?|$)"
)


def written_date(text: str) -> re.Match[str] | None:
    """A date written with its month's name: "3 May 2024" first, else "May 3, 2024".

    Dates read it, and authors, to cut a date glued to a name ("Jane Doe May 3, 2024").
    """
    return _DAY_MONTH_YEAR.search(text) or _MONTH_DAY_YEAR.search(text)


# Zone abbreviations RFC 2822 parsing leaves unresolved (hours east of UTC).
# fmt: off
_ZONE_HOURS = {  # unambiguous abbreviations only (not IST, CST: several zones use them)
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "BST": 1, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
    "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "NZST": 12,
    "NZDT": 13, "EST": -5, "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}
# fmt: on
_ZONE_OFFSETS = {
    name: dt.timezone(dt.timedelta(hours=hours)) for name, hours in _ZONE_HOURS.items()
}
_ZONE_NAME = re.compile(r"\b(" + "|".join(_ZONE_HOURS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class FoundDate:
    """One date as found: normalized value, the raw string and where it came from."""

    value: str
    raw: str
    source: str
    has_time: bool
    offset: dt.tzinfo | None
    generic: bool = False  # a tag named plainly "date": publication or last change alike


def _tz(text: str | None) -> dt.tzinfo | None:
    """The offset named by ``Z``, ``UTC``/``GMT``, ``+02:00`` / ``-0500`` or a zone abbreviation."""
    if not text:
        return None
    text = text.upper()
    if text in ("Z", "UTC", "GMT"):
        return dt.UTC
    if text in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[text]
    if text[0] not in "+-":
        return None
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _format(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        text = moment.isoformat(timespec="seconds")
        return text.replace("+00:00", "Z") if moment.utcoffset() == dt.timedelta(0) else text
    return moment.isoformat()


def _from_match(m: Any, source: str, raw: str) -> FoundDate | None:
    groups = m.groupdict()
    year = int(groups["y"]) + (2000 if len(groups["y"]) == 2 else 0)
    try:
        day = dt.date(year, int(groups["m"]), int(groups["d"]))
    except ValueError:
        return None
    if not 1990 <= day.year <= 2100:
        return None
    if groups.get("H") is None:
        return FoundDate(day.isoformat(), raw, source, False, None)
    tz = _tz(groups.get("tz"))
    hour = int(groups["H"])
    ampm = (groups.get("ampm") or "").lower()
    if ampm and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm == "p" else 0)
    try:
        moment = dt.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            int(groups["M"]),
            int(groups.get("S") or 0),
            tzinfo=tz,
        )
    except ValueError:
        return FoundDate(day.isoformat(), raw, source, False, None)
    return FoundDate(_format(moment), raw, source, True, tz)


def parse_date(raw: str | None, source: str) -> FoundDate | None:
    """Parse the date formats publishers use: ISO 8601, RFC 2822, compact, dd.mm.yyyy."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()[:_MAX_DATE_TEXT]
    m = _ISO.search(text)
    if m:
        return _from_match(m, source, raw)
    m = _COMPACT.match(text)
    if m:
        return _from_match(m, source, raw)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is not None:
        if moment.tzinfo is None:
            zone = _ZONE_NAME.search(text)
            if zone:
                moment = moment.replace(tzinfo=_ZONE_OFFSETS[zone.group(1).upper()])
        return FoundDate(_format(moment), raw, source, True, moment.tzinfo)
    m = _DOTTED.search(text)
    if m:
        return _from_match(m, source, raw)
    if text.isdigit() and len(text) in (10, 13):  # Unix seconds / milliseconds
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
        return FoundDate(_format(moment), raw, source, True, dt.UTC)
    return None


def _json_ld(doc: Document, key: str) -> Iterator[FoundDate | None]:
    for obj in structured.article_objects(doc):
        for value in structured.values(obj.get(key)):
            text = structured.text_of(value)  # a string, or {"@value": ...}
            if text:
                yield parse_date(text, "json_ld")


# Meta tags that name no event: CMSs fill them with the publication or the last change.
_GENERIC_META = frozenset(
    {"date", "dc.date", "dcterms.date", "og:updated_time", "article:modified_time"}
)


def _meta(doc: Document, names: tuple[str, ...]) -> Iterator[FoundDate | None]:
    for name in names:
        for value in doc.meta.get(name, ()):
            found = parse_date(value, "meta")
            if found and name in _GENERIC_META:
                found = dataclasses.replace(found, generic=True)
            yield found


def _microdata_elements(doc: Document, prop: str) -> list[Any]:
    """The first three elements stating ``itemprop=prop`` (a date's), ``<meta>`` left out."""
    stated = (el for el in survey(doc).dated_items if el.get("itemprop") == prop)
    return [el for el in stated if el.tag != "meta"][:3]


def _microdata(doc: Document, prop: str) -> Iterator[FoundDate | None]:
    for el in _microdata_elements(doc, prop):
        yield parse_date(el.get("datetime") or el.get("content") or el.text_content(), "microdata")


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _titles(doc: Document) -> list[str]:
    """The page's stated titles (``og:title``, ``<title>``), folded for comparison."""
    texts = [*doc.meta.get("og:title", ()), title_text(doc)]
    return [t for t in map(_folded, texts) if t]


def _titled(heading: Any, titles: list[str]) -> bool:
    """Whether the page's title names ``heading``: written in it, covering half of it or more.

    A site's logo or a screen-reader "Navigation" often takes the first ``<h1>``;
    the title tag names the story, not the logo.
    """
    text = _folded(heading.text_content())
    return any(text in title and 2 * len(text) >= len(title) for title in titles)


def _headline(doc: Document) -> Any | None:
    """The page's headline element (found once per page).

    The first ``<h1>`` the title names, else the first ``<h1>`` with text. The walk
    stops at the first ``<h1>`` when the title names it, as on most pages.
    """
    context = doc.context
    if not context.headline_h1_found:
        titles = _titles(doc)
        h1s = (h for h in survey(doc).headings if h.tag == "h1" and h.text_content().strip())
        first = next(h1s, None)
        titled = first
        while titled is not None and not _titled(titled, titles):
            titled = next(h1s, None)
        context.headline_h1 = titled if titled is not None else first
        context.headline_h1_found = True
    return context.headline_h1


def _other_story(el: Any, story: Any | None) -> bool:
    """Whether ``el`` sits in an ``<article>`` other than ``story`` (the headline's)."""
    if story is None:
        return False
    articles = list(el.iterancestors("article"))
    return bool(articles) and story not in articles


def _in_article(elements: list[Any]) -> list[Any]:
    """Those of ``elements`` inside an ``<article>`` or ``<main>``."""
    return [el for el in elements if next(el.iterancestors("article", "main"), None) is not None]


def _story_times(doc: Document) -> list[Any]:
    """The ``<time datetime>`` elements of the story (in an article or main, else
    anywhere), outside other stories' articles; found once per page, as dates asks up
    to three times; the page's dated <time> elements come from its survey."""
    context = doc.context
    if context.story_times is None:
        times = survey(doc).times
        nodes = _in_article(times) or times
        if nodes:
            headline = _headline(doc)
            story = next(headline.iterancestors("article"), None) if headline is not None else None
            nodes = [n for n in nodes if not _other_story(n, story)]
        context.story_times = nodes
    return context.story_times


def _time_elements(doc: Document) -> Iterator[FoundDate | None]:
    for el in _story_times(doc)[:3]:
        yield parse_date(el.get("datetime"), "time_element")


# Date-like elements: classes from the page's class index (pageindex.with_class),
# kept when their text is short.
_DATE_CLASS_WORDS = ("date", "Date", "time", "datum", "dateline", "meta", "lineinfo")
_SHORT_ELEMENTS = lxml.etree.XPath("$elements[string-length(normalize-space(.)) < 120]")
_TEXT_SCAN_NODES = 400
_MAX_DATE_TEXT = 300  # a written date sits near the start of a short text


# Every written date holds a four-digit year or dots (dd.mm.yy): most text pieces of a
# page hold neither, and these tests cost a fraction of the month-name patterns.
_FOUR_DIGITS = re.compile(r"\d{4}")
_DIGIT = re.compile(r"\d")
# The forms parse_text_date tries before it asks for four digits: each starts with a
# number (tests/test_extraction_patterns.py checks it), so a text without a digit holds
# none of them.
_NUMBER_FIRST_FORMS = (_DOTTED, _DAY_FIRST_SEPARATED, _SLASHED)


def _month_first(doc: Document) -> bool | None:
    """How the page writes "05/03/2022": month first (US English), day first, or unknown.

    Read from ``<html lang>``: English without a region says nothing (UK and US
    sites alike declare plain "en"), any other language writes the day first.
    """
    lang = (doc.root.get("lang") or "").strip().lower().replace("_", "-")
    if not lang:
        return None
    if lang.startswith("en"):
        return True if lang in ("en-us", "en-ph") else (None if lang == "en" else False)
    return False


def _slashed_date(text: str, month_first: bool | None, source: str) -> FoundDate | None:
    """ "15/07/2014" read as the page writes it; an unambiguous one whatever the page says."""
    m = _SLASHED.search(text)
    if m is None:
        return None
    a, b = int(m.group("a")), int(m.group("b"))
    if a > 12 >= b:
        month_first = False
    elif b > 12 >= a:
        month_first = True
    if month_first is None:
        return None
    day, month = (b, a) if month_first else (a, b)
    fields = {"d": str(day), "m": str(month), "y": m.group("y")}
    return _from_match(_Fields(fields), source, m.group(0))


def parse_text_date(
    text: str, source: str = "text", month_first: bool | None = None
) -> FoundDate | None:
    """A date written for readers: "28.04.2023, 18:16", "30 May 2024", "May 30, 2024".

    ``month_first`` says how the page writes slashed dates (see :func:`_month_first`).
    """
    if _DIGIT.search(text) is None:
        return None  # every form below starts with a number (most text pieces hold none)
    m = _DOTTED.search(text) if "." in text else None
    if m:
        return _from_match(m, source, m.group(0))
    m = _DAY_FIRST_SEPARATED.search(text) if "|" in text or "-" in text else None
    if m:
        return _from_match(m, source, m.group(0))
    if "/" in text:
        found = _slashed_date(text, month_first, source)
        if found:
            return found
    if _FOUR_DIGITS.search(text) is None:
        return None
    m = written_date(text)
    if m is None and ". " in text:
        m = _YEAR_MONTH_DAY.search(text)
    if m:
        month = _MONTHS.get(m.group("mon").lower().rstrip("."))
        if month:
            fields = {**m.groupdict(), "m": str(month)}
            return _from_match(_Fields(fields), source, m.group(0))
    m = _CJK_DATE.search(text)
    if m:
        return _from_match(m, source, m.group(0))
    return None


class _Fields:
    """A regex-match stand-in carrying already-resolved date fields."""

    def __init__(self, fields: dict[str, str | None]) -> None:
        self._fields = fields

    def groupdict(self) -> dict[str, str | None]:
        return self._fields


_DATE_LABELS = (
    "datum|date|published|publié|publicado|pubblicato|gepubliceerd|veröffentlicht"
    "|erschienen|stand|posted|updated|aktualisiert|written|created|erstellt|publiziert"
    "|fecha|data|julkaistu|publicerad|publisert|udgivet|opublikowano|publikováno"
)
_DATE_LABEL = re.compile(
    rf"^(?:{_DATE_LABELS})\b(?:\s+(?:am|on|le|el|il|op|em|den))?\s*:?\s*", re.IGNORECASE
)
# The labels' first letters: a piece starting with another ASCII character cannot match.
_DATE_LABEL_INITIALS = frozenset(label[0] for label in _DATE_LABELS.split("|"))


def _may_be_label(text: str) -> bool:
    """Whether ``_DATE_LABEL`` may match ``text`` (not empty), judged by its first letter:
    most pieces of a page start with a letter no label starts with, and this costs less.
    (Only ASCII is judged: case-blind matching pairs some other characters with ASCII
    letters, the long s with "s".)"""
    first = text[0]
    return not first.isascii() or first.lower() in _DATE_LABEL_INITIALS


def _labelled(doc: Document) -> Iterator[FoundDate | None]:
    """A date after a label ("Datum 28.04.2023", "Published: May 3, 2024") near the top."""
    body = doc.root.find("body")
    if body is None:
        return
    after_label = False
    pieces = (t for t in (p.strip() for p in visible_texts(body)) if t)
    for text in itertools.islice(pieces, _TEXT_SCAN_NODES):
        label = _DATE_LABEL.match(text) if _may_be_label(text) else None
        if label and label.end() == len(text):
            after_label = True
            continue
        if after_label or label:
            rest = text[label.end() if label else 0 :][:_MAX_DATE_TEXT]
            # "Written: 2023-11-07 15:03:30": a labelled ISO day is a date too
            found = parse_text_date(rest, month_first=_month_first(doc)) or (
                parse_date(rest, "text") if _ISO.match(rest) else None
            )
            if found:
                yield found
                return
        after_label = False


def _text(doc: Document) -> Iterator[FoundDate | None]:
    """Last resort: a written date in date-like elements, then early in the page text."""
    date_like = pageindex.with_class(doc, *_DATE_CLASS_WORDS)
    month_first = _month_first(doc)
    for el in cast(list[Any], _SHORT_ELEMENTS(doc.root, elements=date_like))[:20]:
        yield parse_text_date(el.text_content()[:_MAX_DATE_TEXT], month_first=month_first)
    body = doc.root.find("body")
    if body is None:
        return
    for node in itertools.islice(visible_texts(body), _TEXT_SCAN_NODES):
        found = parse_text_date(node[:_MAX_DATE_TEXT], month_first=month_first)
        if found:
            yield found
            return


def _described(doc: Document) -> Iterator[FoundDate | None]:
    """Very last: a date in the description or title ("(Notizia del 14 Gennaio 2020)")."""
    for name in ("description", "og:description"):
        for value in doc.meta.get(name, ()):
            yield parse_text_date(value[:_MAX_DATE_TEXT])
    yield parse_text_date(title_text(doc)[:_MAX_DATE_TEXT])


def _url(doc: Document) -> Iterator[FoundDate | None]:
    url = doc.url or ""
    m = _URL_DATE.search(url) or _URL_DAY_FIRST.search(url.split("?")[0])
    if m:
        yield _from_match(m, "url", m.group(0))


# htmldate refuses dates after this day; a fixed horizon, as extraction reads no clock.
_HTMLDATE_MAX = dt.datetime(2100, 12, 31)


def _htmldate(doc: Document) -> Iterator[FoundDate | None]:
    """htmldate's fast search, for pages whose markup states no date we read ourselves.

    It gets the parsed tree (it copies it before pruning, so ours stays intact)
    and the URL only as text to match: it never fetches anything. Its answer is a
    calendar day; a failure inside it costs this source only.
    """
    try:
        day = htmldate.find_date(
            doc.root,
            url=doc.url or None,
            original_date=True,
            extensive_search=False,
            max_date=_HTMLDATE_MAX,
        )
    except Exception as exc:  # library code on untrusted markup: it may fail this source only
        log.debug("htmldate failed on %s: %s", doc.url, exc)
        return
    if day:
        yield FoundDate(day, day, "htmldate", False, None)


Source = Callable[[], Iterator[FoundDate | None]]


@dataclass(frozen=True)
class _DaysOnly:
    """A source that never states a time: of no use once a day is known."""

    source: Source

    def __call__(self) -> Iterator[FoundDate | None]:
        return self.source()


def _first(sources: list[Source]) -> FoundDate | None:
    """The first date found; a date-only value is kept only when nothing gives a time."""
    date_only: FoundDate | None = None
    for source in sources:
        if date_only and isinstance(source, _DaysOnly):
            continue
        for found in source():
            if found is None:
                continue
            if found.has_time:
                if date_only and not found.value.startswith(date_only.value):
                    return date_only
                return found
            date_only = date_only or found
    return date_only


def _with_offset(found: FoundDate | None, offset: dt.tzinfo | None) -> FoundDate | None:
    """A value without offset takes the page's offset when the page states one elsewhere.

    A date-only value becomes midnight in that offset; a local time keeps its
    clock time. Without any offset on the page, the value stays as written.
    """
    if found is None or found.offset is not None or offset is None:
        return found
    if found.has_time:
        moment = dt.datetime.fromisoformat(found.value).replace(tzinfo=offset)
    else:
        day = dt.date.fromisoformat(found.value)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=offset)
    return FoundDate(_format(moment), found.raw, found.source, True, offset)


def _local_twin(doc: Document, found: FoundDate | None) -> FoundDate | None:
    """``found`` in the page's local offset when a UTC value is stated elsewhere with it.

    CMSs often write the same moment twice: "2019-10-18T22:04:00Z" in JSON-LD and
    "Sat, 19 Oct 2019 00:04:00 +0200" in a meta tag. The local form tells the
    publication day the readers saw; the moment stays the same.
    """
    if found is None or not found.has_time or found.offset is None:
        return found
    moment = dt.datetime.fromisoformat(found.value.replace("Z", "+00:00"))
    if moment.utcoffset() != dt.timedelta(0):
        return found
    twins = itertools.chain(
        _json_ld(doc, "datePublished"),
        _json_ld(doc, "dateCreated"),
        _json_ld(doc, "dateModified"),
        _meta(doc, _PUBLISHED_META + _MODIFIED_META),
        _time_elements(doc),
    )
    for twin in twins:
        if twin is None or not twin.has_time or twin.offset is None:
            continue
        local = dt.datetime.fromisoformat(twin.value.replace("Z", "+00:00"))
        if local.utcoffset() and local == moment:
            return dataclasses.replace(found, value=twin.value, offset=twin.offset)
    return found


# Offsets in use run from UTC-12 to UTC+14: the local days one UTC moment can fall on.
_WEST_MOST = dt.timedelta(hours=-12)
_EAST_MOST = dt.timedelta(hours=14)


def _url_local_day(doc: Document, found: FoundDate | None) -> FoundDate | None:
    """The URL's day for a UTC moment that fell on another local day.

    A permalink dates the article in the newsroom's calendar; a UTC time of an
    evening article in the Americas (or a morning one in Asia) lies on the next
    (previous) day. When the URL's day is one the moment has in some real
    offset, that is the publication day; its local time is unknown, so the
    value becomes that day alone.
    """
    if found is None or not found.has_time or found.offset is None:
        return found
    moment = dt.datetime.fromisoformat(found.value.replace("Z", "+00:00"))
    if moment.utcoffset() != dt.timedelta(0):
        return found
    url = next(_url(doc), None)
    if url is None:
        return found
    day = dt.date.fromisoformat(url.value)
    if day != moment.date() and (moment + _WEST_MOST).date() <= day <= (moment + _EAST_MOST).date():
        return FoundDate(url.value, found.raw, found.source, False, None)
    return found


# A byline's date sits within a few text pieces below the headline, alone or with a
# label ("Stand: 28.04.2020 18:00 Uhr"), not inside a sentence.
_BYLINE_PIECES = 10
_BYLINE_CHARS = 60
# A dateline above the headline sits among its kicker, section and print links.
_DATELINE_PIECES = 5


def _texts_after(el: Any) -> Iterator[str]:
    """Visible text pieces after ``el`` (its own text excluded), in document order."""
    node = el
    while node is not None:
        if node.tail:
            yield node.tail
        for sibling in node.itersiblings():
            yield from visible_texts(sibling)
            if sibling.tail:
                yield sibling.tail
        node = node.getparent()


_HIDDEN_TEXT = frozenset({"script", "style", "noscript", "template"})


def _reverse_texts(root: Any) -> Iterator[str]:
    """Text pieces inside ``root`` (its tail excluded), last first; lazy and iterative."""
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if not isinstance(item.tag, str):  # comments, processing instructions
            continue
        if item.text and item.tag not in _HIDDEN_TEXT:
            stack.append(item.text)
        for child in item:
            stack.append(child)
            if child.tail:
                stack.append(child.tail)


def _texts_before(el: Any, limit: int) -> Iterator[str]:
    """Up to ``limit`` non-blank text pieces before ``el``, nearest first.

    Walks backwards from ``el`` and stops there: the menus above a headline are
    never read whole.
    """

    def backwards() -> Iterator[str]:
        node = el
        while node is not None:
            for sibling in node.itersiblings(preceding=True):
                if sibling.tail:
                    yield sibling.tail
                yield from _reverse_texts(sibling)
            node = node.getparent()
            if node is not None and node.text and node.tag not in _HIDDEN_TEXT:
                yield node.text

    return itertools.islice((t for t in backwards() if t.strip()), limit)


def _short_date(pieces: Iterator[str], limit: int, month_first: bool | None) -> FoundDate | None:
    """The first short text piece among the first ``limit`` that is a date."""
    texts = (t for t in (p.strip() for p in pieces) if t)
    for text in itertools.islice(texts, limit):
        if len(text) <= _BYLINE_CHARS:
            found = parse_text_date(text, month_first=month_first)
            if found:
                return found
    return None


def _displayed(doc: Document) -> FoundDate | None:
    """The date shown to readers below the headline, else a dateline right above it."""
    headline = _headline(doc)
    if headline is None:
        return None
    month_first = _month_first(doc)
    return _short_date(_texts_after(headline), _BYLINE_PIECES, month_first) or _short_date(
        _texts_before(headline, _DATELINE_PIECES), _DATELINE_PIECES, month_first
    )


def _days_in(text: str) -> Iterator[str]:
    """Every calendar day written in ``text`` (ISO days)."""
    for pattern in (_DOTTED, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_MONTH_DAY, _CJK_DATE):
        for m in pattern.finditer(text):
            fields = m.groupdict()
            if "mon" in fields:
                month = _MONTHS.get(m.group("mon").lower().rstrip("."))
                if not month:
                    continue
                fields = {**fields, "m": str(month)}
            found = _from_match(_Fields(fields), "text", m.group(0))
            if found:
                yield found.value[:10]
    if "/" in text:
        for m in _SLASHED.finditer(text):
            a, b, year = m.group("a", "b", "y")
            for d, mo in ((a, b), (b, a)):
                found = _from_match(_Fields({"d": d, "m": mo, "y": year}), "text", m.group(0))
                if found:
                    yield found.value


def _shown_days(doc: Document, days: set[str]) -> set[str]:
    """Those of ``days`` the page's visible text writes anywhere."""
    body = doc.root.find("body")
    if body is None:
        return set()
    # each day's year as written: "2021", or "12.11.21" / "12. 11. 21"
    years = {form for day in days for form in (day[:4], "." + day[2:4], ". " + day[2:4])}
    # one search per text piece for all forms (the scan reads every piece of the page)
    holds_year = re.compile("|".join(map(re.escape, sorted(years)))).search
    found: set[str] = set()
    for text in visible_texts(body):
        if holds_year(text):
            found.update(days.intersection(_days_in(text)))
    return found


def _shows_day(doc: Document, day: str) -> bool:
    """Whether the page's visible text writes the calendar day ``day`` anywhere."""
    return bool(_shown_days(doc, {day}))


def _shown_modification(
    doc: Document, published: FoundDate, modified: FoundDate | None
) -> FoundDate:
    """``modified``, else a ``<time>``, when the page shows its day and never ``published``'s.

    A stated publication day written nowhere on the page loses to a stated day the
    readers see: the modification time, or the moment a ``<time>`` element of the
    story carries (a template's ``og:`` tag may keep a draft's day).
    """
    day = published.value[:10]
    others = [d for d in (modified, next(_time_elements(doc), None)) if d and d.value[:10] != day]
    if not others:
        return published
    days = _shown_days(doc, {day} | {d.value[:10] for d in others})
    if day in days:
        return published
    return next((d for d in others if d.value[:10] in days), published)


def _as_displayed(
    doc: Document,
    published: FoundDate | None,
    modified: FoundDate | None,
    displayed: Callable[[], FoundDate | None],
) -> FoundDate | None:
    """The date the page shows below its headline, when it never shows ``published``'s day.

    Structured data may carry a first publication the page no longer presents:
    a revised page shows "Updated Mar 12, 2020" (the modification date), a
    republished one a new date, while JSON-LD keeps the original. When the
    stated publication day is written nowhere on the page, the readers' date
    (and the annotators') is the one below the headline; the stated
    modification time is taken when it names that day. A generic ``date`` tag
    later than the shown date is the page's last change, shown or not. ``displayed``
    gives :func:`_displayed` of the page (worked out once per page).
    """
    if published is None:
        return None
    shown = displayed()
    if shown is None:
        return _shown_modification(doc, published, modified)
    if shown.value[:10] == published.value[:10]:
        return published
    # a generic "date" tag a day after the shown date is the page's last change
    if published.generic and shown.value[:10] < published.value[:10]:
        return _shown_in_utc(shown, published)
    if _shows_day(doc, published.value[:10]):
        return published
    if modified is not None and modified.value[:10] == shown.value[:10]:
        return modified
    return _shown_in_utc(shown, published)


def _shown_in_utc(shown: FoundDate, stated: FoundDate) -> FoundDate:
    """``shown`` as a UTC time when its clock reads the stated moment's UTC clock.

    Some sites print "6 May 2022 - 2:00 a.m." for a moment stated as
    21:00-05:00 the evening before: the page shows UTC, not the newsroom's
    offset, which would otherwise be attached to it.
    """
    if not (shown.has_time and shown.offset is None and stated.has_time and stated.offset):
        return shown
    moment = dt.datetime.fromisoformat(stated.value.replace("Z", "+00:00")).astimezone(dt.UTC)
    if moment.replace(tzinfo=None, second=0) != dt.datetime.fromisoformat(shown.value):
        return shown
    return dataclasses.replace(shown, value=_format(moment.replace(second=0)), offset=dt.UTC)


def extract_dates(doc: Document) -> dict[str, str | None]:
    """date_published / date_modified with their raw strings and the published source."""
    shown: list[FoundDate | None] = []  # _displayed(doc), asked by a source and _as_displayed

    def displayed() -> FoundDate | None:
        if not shown:
            shown.append(_displayed(doc))
        return shown[0]

    published = _first(
        [
            lambda: _json_ld(doc, "datePublished"),
            lambda: _meta(doc, _PUBLISHED_META[:-3]),
            lambda: _microdata(doc, "datePublished"),
            lambda: _time_elements(doc),
            lambda: _json_ld(doc, "dateCreated"),
            lambda: _meta(doc, _PUBLISHED_META[-3:]),
            lambda: _url(doc),
            lambda: _labelled(doc),
            lambda: iter([displayed()]),
            _DaysOnly(lambda: _htmldate(doc)),
            lambda: _text(doc),
            lambda: _described(doc),
        ]
    )
    published = _local_twin(doc, published)
    modified = _first(
        [
            lambda: _json_ld(doc, "dateModified"),
            lambda: _meta(doc, _MODIFIED_META),
            lambda: _microdata(doc, "dateModified"),
        ]
    )
    offset = next((d.offset for d in (published, modified) if d and d.offset), None)
    published = _as_displayed(doc, published, modified, displayed)
    published, modified = _with_offset(published, offset), _with_offset(modified, offset)
    published = _url_local_day(doc, published)
    return {
        "date_published": published.value if published else None,
        "date_published_raw": published.raw.strip() if published else None,
        "date_published_source": published.source if published else None,
        "date_modified": modified.value if modified else None,
        "date_modified_raw": modified.raw.strip() if modified else None,
    }
