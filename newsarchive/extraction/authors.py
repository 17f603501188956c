"""Authors: people and agencies, from structured data, meta tags or the byline.

Raw author strings carry noise ("By", "Von", job titles after a comma, dates,
the site's own name, several names in one string); the clean-up here is a set
of tables so a new language is a new row, not a new branch.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, cast
from urllib.parse import urlsplit

import lxml.etree

from newsarchive.extraction import dates, pageindex, sitenames, structured, survey
from newsarchive.extraction.credits import PICTURE_LABEL
from newsarchive.extraction.document import Document, HtmlElement, ld_types
from newsarchive.extraction.headline import title_text
from newsarchive.extraction.sitenames import key as _key
from newsarchive.extraction.text import clean
from newsarchive.extraction.xpathsafe import in_document_order

_META_NAMES = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
    "citation_author",
)
# "By", "Von", ... at the start of a byline (case-insensitive, optional colon).
# fmt: off
_PREFIXES = (
    "written by", "reported by", "posted by", "words by", "story by", "text and photos by", "by",
    "von", "par", "por", "door", "af", "av", "от", "автор", "autor", "autorin", "autoren",
    "author", "authors", "kommentar",
    # plural labels: "Autoren Jane Doe und John Roe" names its writers without a colon
    "auteurs", "autores", "autori", "autorzy", "авторы", "автори", "forfattere", "yazarlar",
    "szerzők",
    "ein kommentar von", "eine analyse von", "ein gastbeitrag von",
    # labels of links to an author's page or of CMS bylines, in several languages
    "erstellt von", "geschrieben von", "verfasst von", "alle artikel von", "alle beiträge von",
    "alles von", "mehr von", "artikel von", "view all posts by", "all posts by", "more posts by",
    "all articles by", "more from", "show all articles of", "all articles of", "see all posts by",
    "view all articles by", "more articles by", "more by", "articles by", "posts by",
    "publié par", "écrit par", "escrito por", "publicado por",
    "scritto da", "pubblicato da", "geschreven door", "geplaatst door", "skrevet af",
    "skrevet av", "skrivet av", "napisał", "napisała", "autorem", "a cura di", "oleh", "بقلم",
    "โดย", "लेखक",
    # Greek bylines name the writer in the genitive after an article: "Του Γιώργου ..."
    "του", "της", "των",
    # a verb alone before the name: "Написал Иван Петров", "Kirjoittanut Matti Virtanen",
    # "Γράφει ο Γιώργος ..."
    "написал", "написала", "kirjoittanut", "γράφει ο", "γράφει η",
)
# fmt: on
# What a byline says before "by" in many languages: a verb ("Written by", "Erstellt von")
# or a genre ("Eine Kolumne von", "Un article de"); after such a lead, "de", "di", "da"
# are "by" too (alone they open names: "Di Stefano", "De Jong").
# fmt: off
_LEAD_VERBS = (
    "written", "posted", "reported", "words", "story", "text and photos", "text und fotos",
    "erstellt", "geschrieben", "verfasst", "veröffentlicht", "écrit", "rédigé", "publié",
    "escrito", "publicado", "redactado", "scritto", "pubblicato", "geschreven", "geplaatst",
    "skrevet", "skrivet", "napisany", "opublikowany", "text", "texte", "texto", "testo",
    "published", "submitted", "eingestellt", "publicat", "contributed", "ditulis",
    "opublikowano", "skrifað",
)
_LEAD_GENRES = (
    "artikel", "beitrag", "blogbeitrag", "blog beitrag", "blog-beitrag", "kolumne", "kommentar",
    "analyse", "gastbeitrag", "interview", "bericht", "reportage", "essay", "glosse", "article",
    "column", "post", "blog post", "report", "review", "commentary", "op-ed", "chronique",
    "tribune", "entretien", "artículo", "columna", "reportaje", "articolo", "rubrica",
    "recensione", "recensie", "artykuł", "felieton", "analysis", "opinion", "perspective",
    "explainer", "feature", "obituary", "análisis", "opinión", "analisi", "opinione", "meinung",
    "gastkommentar", "nachruf", "pressemitteilung", "press release", "communiqué", "comunicado",
    "guest post",
)
# fmt: on
_BYLINE_LEAD = (
    r"(?:(?:" + "|".join(map(re.escape, _LEAD_VERBS)) + r")"
    r"|(?:(?:ein|eine|einen|a|an|un|une|una|uno|een)\s+)?(?:"
    + "|".join(map(re.escape, _LEAD_GENRES))
    + r"))\s+(?:by|von|par|por|door|de|di|da|af|av|przez|от|oleh)"
)
# Labels that are a prefix only with a colon: "Redaktion: Jane Doe" names a person,
# "Redaktion Polizeiticker" is a desk's name.
_COLON_PREFIXES = ("text", "texto", "texte", "testo", "redaktion", "reporter")
_LABELS_ALONE = frozenset(_COLON_PREFIXES) - {"redaktion"}  # a desk's name alone
# "Author", "reporter", "editor in charge" in Chinese and Japanese bylines.
_CJK_LABELS = "(?:作者|责任编辑|責任編輯|编辑|編輯|记者|記者|撰文|筆者|执笔|執筆|著者|文)"
# What sets a CJK label off from the name: a colon, or a slash or bar ("文/张三", "文｜张三").
_CJK_COLON = "[:：/／|｜]"
# ... of which these also lead a name after a space alone: "记者 张三".
_CJK_SPACED_LABELS = "(?:作者|责任编辑|責任編輯|记者|記者)"
# A Korean byline puts the role after the name: "홍길동 기자", "홍길동 특파원".
_KOREAN_ROLE = "(?:선임|수석|객원|전문)?(?:기자|특파원)(?![가-힣])"
_KOREAN_REPORTER = re.compile(rf"^([가-힣]{{2,4}})\s?{_KOREAN_ROLE}")
# A Chinese byline glues the role to the name: "记者王敬照", "本报记者李明", "新华社记者张三".
_CJK_REPORTER = re.compile(
    r"^(?:本报|本報|新华社|新華社)?(?:特约|特約|实习|實習)?(?:记者|記者|通讯员|通訊員)\s*"
    r"([\u4e00-\u9fff]{2,4})$"
)
# "Von unserer Korrespondentin Jane Doe", "De notre envoyé spécial à Kyiv, Jean Dupont",
# "Dal nostro inviato Mario Rossi": a by-word, "our", the writer's role (one word, or two in
# lower case), a place, then the name.
_OUR_ROLE = (
    r"(?:von|par|de|dal|dalla|del|de la|from|by)\s+(?:unserem|unserer|unseren|notre|nos|nostro"
    r"|nostra|nostri|nuestro|nuestra|nuestros|our)\s+[^\W\d][\w-]*(?:\s+(?-i:[a-zà-ÿ][\w-]*))?"
    r"(?:\s+(?:à|a|en|in|at|aus|em)\s+[^,]{1,30},)?\s+"
)
_PREFIX = re.compile(
    rf"^\s*(?:{_OUR_ROLE}|{_BYLINE_LEAD}(?:\s*:\s*|\s+)|{_CJK_LABELS}\s*{_CJK_COLON}\s*|{_CJK_SPACED_LABELS}\s+|(?:"
    + "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True))
    + r")(?:\s*:\s*|\s+)|(?:"
    + "|".join(_COLON_PREFIXES)
    + r")\s*:\s*)",
    re.IGNORECASE,
)
# "Autor:", "Text:", "Fotos:", "Text & Fotos:", "Autorin/Autor:" labels
_LABEL = re.compile(r"^\s*\w[\w &+]{1,23}(?:/\w{1,12})?:\s+")
# ... unless it names the writing too: "Text & Fotos:".
_WRITING = re.compile(r"\b(?:text|texte|texto|testo|tekst|words|wort|autor|author|auteur)", re.I)
# Stock photo agencies: a line naming one is a picture's credit ("John Roe / Getty Images").
_STOCK_PHOTOS = re.compile(
    r"\b(?:getty images|shutterstock|istock(?:photo)?|imago(?: images)?|picture[- ]alliance"
    r"|alamy|adobe ?stock|unsplash|pexels|pixabay|dreamstime|depositphotos)\b",
    re.IGNORECASE,
)
# Conjunctions joining two names, in the languages we see most; an interview's byline
# names both sides ("Jane Doe im Gespräch mit John Roe").
# One-letter conjunctions only in lower case: "Jane A Doe" holds a middle initial (and
# "Dan", "Un" are given names). A middle dot, a bullet or an ideographic comma separates
# a byline's parts ("Jane Doe · 5 min read", "张三、李四").
_JOINERS = re.compile(
    r"\s+(?:and|und|&|(?-i:y|e|i|a|un|ir|dan|và|și|şi)|et|og|och|en|и|і|και|و|ve|ja|és|und von"
    r"|and by|im gespräch mit"
    r"|in conversation with|en conversation avec|en conversación con|in conversazione con)\s+"
    r"|\s*[;|·•、]\s*|\s+&\s+",
    re.IGNORECASE,
)
# "With" and its kin join a writer and a source ("Jean Dupont avec l'AFP", "Juan Pérez con
# información de EFE", "Jane Doe mit Material von dpa"), but only between two names:
# in prose they join anything ("Reisen mit oder ohne Flug").
_WITH = re.compile(
    r"\s+(?:with|mit|avec|con|com)"
    r"(?:\s+(?:additional\s+)?(?:reporting|material|information|informations|información"
    r"|informações|informazioni)\s+(?:by|from|von|der|des|de|du|da|di|del))?\s+(?:l['’](?=\w))?",
    re.IGNORECASE,
)
# Whole words only: "Jane Standish" and "Constanze Stand" are names, "Stand: 03.05." a date.
_DATE_TAIL = re.compile(
    r"[\s,|·•-]*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\b(?:updated|published"
    r"|aktualisiert|veröffentlicht|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato"
    r"|gepubliceerd|bijgewerkt|opublikowano|zaktualizowano|publicerad|uppdaterad|publisert"
    r"|oppdatert|julkaistu|päivitetty|опубликовано|обновлено)\b|\bstand\s*(?::|\d)|\bam \d"
    r"|\bon \w+,? \d).*$",
    re.IGNORECASE,
)
# What follows a name in a byline without a separator: a time, a reading time, or (read with
# the dates' month names) a date in words; then the word that led the date ("le", "am").
_GLUED_TIME = re.compile(
    r"\s+(?:(?:@|at|um|à|a las|alle|om|kl\.|en|em|às)\s+)?"
    r"(?:\d{1,2}[:.]\d{2}\b|\d{1,3}\s*(?:min(?:ute[ns]?|s|uti|utos)?\.?)(?:\s|$)).*$",
    re.IGNORECASE,
)
# Buttons beside the name in a byline box: "Jane Doe Follow", "Jane Doe Share Tweet".
_BUTTON_TAIL = re.compile(
    r"(?:\s+(?:share|tweet|follow|folgen|teilen|suivre|partager|seguir|compartir|segui"
    r"|condividi|volgen|delen|e-?mail|facebook|twitter|linkedin|whatsapp|print|drucken))+$",
    re.IGNORECASE,
)
_DATE_LEAD = re.compile(r"\s+(?:le|el|am|on|den|il|de|del|du|the|op|em|en|om)\s*$", re.IGNORECASE)
_URLISH = re.compile(r"^(?:https?:|www\.)|\.(?:com|html?)(?:/|$)|^@", re.IGNORECASE)
# An address starts where a run of its characters starts: tried from inside the run too,
# "a.a.a...a" without an "@" would cost the square of its length.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_DOMAINISH = re.compile(r"www\.|\.(?:com|de|at|ch|fr|es|it|nl|be|co|uk|org|net|tr|jp)\b", re.I)
# "Helen Davidson in Taipei", "Reuters in Kyiv": the place is the dateline, not the name.
_DATELINE_PLACE = re.compile(
    r"\s+(?P<word>in|aus|à|en|em)\s+[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?$"
)
# Where a dateline's preposition is the page language's "and" ("Door Jan de Vries en Piet
# Jansen"), it joins two names (by the primary subtag of the page's language).
_AND_IN_LANGUAGE = {"nl": frozenset({"en"}), "af": frozenset({"en"})}
# The language of the page being read (its primary subtag), set by extract_authors for
# the name clean-up deep below it; a context variable, so pages in threads never mix.
_PAGE_LANGUAGE: ContextVar[str | None] = ContextVar("authors_page_language", default=None)


def _without_dateline_place(text: str) -> str:
    """ "Juan Pérez en Buenos Aires" less its place, unless the preposition is the page
    language's "and" (Dutch "Jan de Vries en Piet Jansen": two names)."""
    place = _DATELINE_PLACE.search(text)
    if place is None:
        return text
    ands = _AND_IN_LANGUAGE.get(_PAGE_LANGUAGE.get() or "", frozenset())
    return text if place.group("word") in ands else text[: place.start()]


# "João Silva, de São Paulo", "Jane Doe, in London": a comma segment led by a lower-case
# "in"/"from" is the writer's dateline, not a second name.
_PLACE_LEAD = re.compile(
    r"(?:in|aus|from|de|desde|depuis|à|en|em|da|do|dal|dalla|uit|vanuit|från|fra|z|ze|w|в|из|από)\s"
)
# "王小明／台北報導": the place the reporter files from, after a slash.
_CJK_DATELINE = re.compile(r"\s*[／/]\s*[^\s/／]{1,8}(?:報導|报道|報道)$")
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*$")
# "di Mario Rossi", "de Ion Popescu": in lower case before a full name these are "by"
# (capitalized they open names: "Di Stefano", "De Jong").
_LOWER_BY = re.compile(r"^(?:di|de|da|do)\s+(?=[A-ZÀ-Ý][\w'-]*\s+[A-ZÀ-Ý])")
# "Jane Doe for The Daily Planet", "Jean Dupont pour Le Monde": the outlet a piece was
# written for, after a lower-case preposition.
# The outlet opens with a capitalized article or is in capitals ("for BBC News"): "für
# Wirtschaft", "for Education" end the names of ministries.
_FOR_OUTLET = re.compile(
    r"\s+(?:for|für|pour|para|per)\s+(?:(?:The|Die|Der|Das|Le|La|Les|El|Il|Lo|O|A|Os|As)\s"
    r"|[A-ZÀ-Ý]{2,}\b).*$"
)
# A job title glued to the name by the markup ("<a>Jane Doe</a>Senior Editor"): a role
# noun closing the name, after modifiers; "Writer" alone is also a family name.
_ROLE_MODIFIERS = (
    r"(?:\s+(?:senior|chief|deputy|managing|executive|staff|contributing|political|foreign"
    r"|special|sports?|business|news|associate|assistant|digital|leitende[rn]?"
    r"|stellvertretende[rn]?|freie[rn]?))"
)
_ROLE_TAIL = re.compile(
    rf"{_ROLE_MODIFIERS}*\s+(?:reporter(?:in)?|correspondent|editor|columnist|contributor"
    r"|journalist(?:in)?|redakteur(?:in)?|korrespondent(?:in)?|photographer|fotograf(?:in)?"
    r"|redactor(?:a)?|periodista|rédact(?:eur|rice)|giornalista|redattore|repórter|jornalista)$"
    rf"|{_ROLE_MODIFIERS}+\s+writer$",
    re.IGNORECASE,
)
# "Jane Doe – Correspondent", "João Silva - Repórter": a role after a dash.
_DASH_TAIL = re.compile(r"\s+[-–—]\s+(\S.*)$")
_NUMBER_WORD = re.compile(r"^[\d.,:/-]+$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
# fmt: off
_NAME_PARTICLES = frozenset({
    "von", "van", "de", "der", "den", "da", "del", "della", "di", "du", "le", "la", "bin", "al",
    "el", "ten", "ter", "zu", "y", "dos", "das", "do", "st", "mc", "e", "v", "ibn", "bint",
})
# fmt: on
# Words that mark a comma segment as a job title or place, not a person.
_ROLE_WORDS = re.compile(
    r"\b(?:reporter|correspondent|editor|writer|columnist|contributor|journalist|staff|"
    r"redakteur\w*|korrespondent\w*|chef\w*|leiter\w*|ressort\w*|autor\w*|redaktion|"
    r"senior|chief|deputy|head|director|producer|photographer|analyst|rédact\w*|"
    r"envoyé\w*|corresponsal|periodista|redactor\w*|news|desk|team|rep[oó]rter|correspondente"
    r"|jornalista|giornalista|inviat[oa]|redattrice|redattore|corrispondente|verslaggever"
    r"|redacteur|dziennikar\w*|korespondent\w*|muhabir\w*|корреспондент\w*|журналист\w*"
    r"|редактор\w*|photograph\w*|fotograf\w*)\b",
    re.IGNORECASE,
)
# fmt: off
AGENCIES = frozenset({
    "reuters", "ap", "afp", "dpa", "apa", "sid", "efe", "ansa", "kna", "epd", "upi", "ddp",
    "associated press", "the associated press", "agence france-presse", "deutsche presse-agentur",
    "bloomberg", "anadolu ajansı", "anadolu agency", "europa press", "belga", "ritzau", "tt",
    "ntb", "kyodo", "xinhua", "press association", "pa", "keystone-sda", "sda", "dpa-afx", "tass",
    "ria novosti", "ctk", "čtk", "pap", "mti", "ats", "aa", "ians", "pti", "ani",
})
# fmt: on
# A CMS account named after a desk alone ("Redaktion", "Newsdesk"): the newsroom's credit,
# kept only when the page names nobody else.
# fmt: off
_DESK_ACCOUNTS = frozenset({
    "redaktion", "die redaktion", "redacción", "rédaction", "la rédaction", "redazione",
    "redactie", "de redactie", "staff", "editor", "editors", "newsdesk", "news desk", "web desk",
    "editorial team", "the editors", "redação", "da redação", "a redação", "redakcja", "redakce",
    "redaksjonen", "redaktionen", "toimitus", "szerkesztőség", "redacția", "редакция", "редакція",
})
# A CMS account named after a content type ("Nachrichten", "admin"): nobody's name, and
# no more informative than the site's ("BR24 Redaktion" is kept).
_GENERIC_ACCOUNTS = frozenset({
    "news", "nachrichten", "noticias", "notícias", "actualités", "nieuws", "nyheter", "notizie",
    "wiadomości", "haberler", "admin", "administrator", "online",
    # a CMS's field name standing in for an author field left empty: no name at all
    "publisher",
    # labels of links to an author's other posts, left alone when the name is elsewhere
    "more posts", "all posts", "view all posts", "alle artikel", "alle beiträge",
    "mehr artikel", "tous les articles", "todos los artículos", "tutti gli articoli",
    # labels of paid posts in a list of posters: nobody's name
    "sponsored", "sponsored content", "gesponserte inhalte", "anzeige", "advertorial",
    "publicidad", "publicité", "contenu sponsorisé", "contenido patrocinado", "paid content",
})
# fmt: on
MAX_NAME_LENGTH = 80
# Bylines are short; capping what the regexes see keeps hostile input linear and fast.
MAX_RAW_LENGTH = 400


def _has_case(text: str) -> bool:
    return any(ch.isupper() for ch in text) or any(ch.islower() for ch in text)


_AGENCY_KEYS = frozenset(_key(a) for a in AGENCIES)


def looks_like_name(text: str) -> bool:
    """A short string of capitalized words (or caseless script): a person or agency name."""
    words = text.split()
    if not words or len(words) > 6 or len(text) > MAX_NAME_LENGTH:
        return False
    if text.casefold() in AGENCIES or _key(text) in _AGENCY_KEYS:
        return True
    if any(ch in '?!:«»"“”/*[]' for ch in text) or any(_NUMBER_WORD.match(w) for w in words):
        return False  # "BR24 Redaktion" is a name; "12.05.2024" or "Seite 3" is not
    if not _has_case(text):
        return any(ch.isalpha() for ch in text)  # CJK and other caseless scripts, not "="
    for word in words:
        if word.casefold().strip(".'") in _NAME_PARTICLES:
            continue
        first = next((ch for ch in word if ch.isalpha()), "")
        if first and not first.isupper():
            return False
    return True


# A copyright notice in an author meta tag: "Copyright 2024 Example GmbH - all rights
# reserved" credits the holder (read there only: a footer's notice is no byline).
_COPYRIGHT = re.compile(
    r"^(?:copyright\b|©|\(c\))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?:by\s+)?"
    r"|\s*[-–—,.|]?\s*(?:all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|tutti i diritti riservati)\.?\s*$",
    re.IGNORECASE,
)
_HANDLE_TAIL = re.compile(r"\s+@\w{2,30}$")  # "Jane Doe @janedoe": the handle repeats the name


def clean_name(raw: str) -> str | None:
    """One author's name without prefixes, e-mail addresses, dates or trailing titles."""
    text = clean(_EMPTY_BRACKETS.sub("", _EMAIL.sub("", raw[:MAX_RAW_LENGTH])))
    if not text:
        return None
    text = _HANDLE_TAIL.sub("", text) or text
    for _ in range(2):
        text = _PREFIX.sub("", text, count=1).strip()
    text = _LOWER_BY.sub("", text)
    korean = _KOREAN_REPORTER.match(text) or _CJK_REPORTER.match(text)
    text = korean.group(1) if korean else text
    text = _DATE_TAIL.sub("", text).strip(" ,;:|·•-–—")
    if any(ch.isdigit() for ch in text):
        text = _without_glued_date(text)
    text = _FOR_OUTLET.sub("", text)
    dash = _DASH_TAIL.search(text)
    if dash and _ROLE_WORDS.search(dash.group(1)):
        text = text[: dash.start()]
    button = _BUTTON_TAIL.search(text)
    if button and len(text[: button.start()].split()) >= 2:
        text = text[: button.start()]
    role = _ROLE_TAIL.search(text)
    if role and len(text[: role.start()].split()) >= 2 and "," not in text:
        text = text[: role.start()]
    agency = _PARENTHETICAL.search(text)
    text = _PARENTHETICAL.sub("", text).strip()
    if agency and agency.group().strip(" ()").casefold() in AGENCIES and text:
        text = f"{text}; {agency.group().strip(' ()')}"  # "Juan Pérez (EFE)": two credits
    text = _without_dateline_place(text)
    text = _CJK_DATELINE.sub("", text)
    if _SLUG.match(text) or text.casefold() in _PREFIXES or text.casefold() in _LABELS_ALONE:
        return None
    return _once(text) or None


def _without_glued_date(text: str) -> str:
    """ "Jane Doe May 3, 2024", "Par Jean Dupont le 3 mai 2024", "Jane Doe 5 min read": the
    name without the date, time or reading time glued to it."""
    found = dates.written_date(text)
    if found and found.start() > 0:
        text = _DATE_LEAD.sub("", text[: found.start()])
    return _GLUED_TIME.sub("", text).strip(" ,;:|·•-–—")


def _once(text: str) -> str:
    """A name written twice in a row ("Jane Doe Jane Doe": a photo's alt text before the
    name, or a desktop and a mobile copy) once."""
    words = text.split()
    half = len(words) // 2
    if half > 1 and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return text


def _second_name(segment: str) -> bool:
    """A comma segment after a name is another name only if it has a given and a family
    name, or is an agency: a single word there is a place ("Jane Doe, Berlin")."""
    if segment.casefold() in AGENCIES or _key(segment) in _AGENCY_KEYS:
        return True
    return len(segment.split()) > 1 and looks_like_name(segment)


# A desk, author or agency code after a slash: "SP-X", "dpa", "lno".
_CODE = re.compile(r"^[^\W\d_][\w-]{0,5}$")


def _full_name(text: str) -> bool:
    return len(text.split()) >= 2 and looks_like_name(text)


# "Juan Pérez / Agencias": agencies unnamed, a credit that names nobody.
_AGENCIES_UNNAMED = frozenset(
    {"agencias", "agencies", "agences", "agenturen", "agenzie", "agências", "agencje", "wires"}
)


def _slash_part(part: str) -> bool:
    """A part of a byline split at slashes: a full name, a code, or a labelled name."""
    if _full_name(part) or _CODE.match(part) or part.casefold() in _AGENCIES_UNNAMED:
        return True
    label = _LABEL.match(part)
    return label is not None and _full_name(part[label.end() :].strip())


def _glued_agency(segment: str) -> list[str]:
    """ "JANE DOE Associated Press": a full name, then an agency in its own spelling (an
    upper-case code or capitalized words) without a separator; else [segment]."""
    words = segment.split()
    for size in (1, 2, 3):
        if len(words) < size + 2:
            break
        tail = " ".join(words[-size:])
        coded = tail.isupper() or (tail == tail.title() and size > 1)
        if coded and tail.casefold() in AGENCIES and _full_name(" ".join(words[:-size])):
            return [" ".join(words[:-size]), tail]
    return [segment]


def _with_split(part: str) -> list[str]:
    """ "Jane Doe mit Material von dpa" as the writer and the source when both sides are
    names (a full name or an agency); else ``part`` as it is."""
    pieces = _WITH.split(part, maxsplit=1)
    if len(pieces) == 2:
        first, second = (clean_name(p) or "" for p in pieces)
        if _second_name(first) and _second_name(second):
            return [first, second]
    return [part]


def _one_word(text: str) -> bool:
    """A single word that is no agency's nor desk's credit."""
    return (
        len(text.split()) == 1
        and text.casefold() not in AGENCIES
        and _key(text) not in _AGENCY_KEYS
        and text.casefold() not in _DESK_ACCOUNTS
    )


# "Müller GmbH & Co. KG", "Smith & Sons": the joiner is part of a company's name.
_COMPANY_TAIL = re.compile(r"(?:co|cie|company|sons|söhne|partner)\b", re.IGNORECASE)


def _joined_parts(text: str) -> list[str]:
    """``text`` split at its joiners, but for a word joiner between two single words:
    "Kirche und Leben", "Haus & Garten" name one thing (a site, a company), which the
    site's check then knows, not two people; "dpa und AFP" are two agencies. Nor is a
    company's "& Co. KG" a second name."""
    pieces: list[str] = []
    joiners: list[str] = []
    position = 0
    for found in _JOINERS.finditer(text):
        pieces.append(text[position : found.start()])
        joiners.append(found.group())
        position = found.end()
    pieces.append(text[position:])
    parts = pieces[:1]
    for joiner, piece in zip(joiners, pieces[1:], strict=True):
        word = joiner.strip()
        if (word == "&" or word.isalpha()) and (
            _COMPANY_TAIL.match(piece)
            or (_one_word(parts[-1].rsplit(",", 1)[-1]) and _one_word(piece.split(",", 1)[0]))
        ):
            parts[-1] += joiner + piece
        else:
            parts.append(piece)
    return parts


def split_names(raw: str) -> list[str]:
    """Split a byline holding several names: "A and B", "A, B & C", "A und B"."""
    text = clean_name(raw[:MAX_RAW_LENGTH])
    if not text:
        return []
    if not looks_like_name(text):
        label = _LABEL.match(text)
        if label and PICTURE_LABEL.search(label.group()) and not _WRITING.search(label.group()):
            return []  # "Foto: John Roe": the photographer's credit
        text = text[label.end() :] if label else text
    if _STOCK_PHOTOS.search(text):
        return []
    names: list[str] = []
    slash_parts = [p.strip() for p in text.split("/")]
    if len(slash_parts) > 1 and all(_slash_part(p) for p in slash_parts):
        # "Jane Doe/John Roe": two people, not "srf/abc"; "Jane Doe/SP-X": a person and a
        # desk or agency code, which is kept only when it is a known agency ("dpa/AFP":
        # two agencies); "Text: Jane Doe / Fotos: John Roe": the label decides
        kept = [p for p in slash_parts if _full_name(p) or p.casefold() in AGENCIES or ":" in p]
        if any(_full_name(clean_name(p) or "") for p in kept):
            text = "; ".join(kept)
    for part in (p for joined in _joined_parts(text) for p in _with_split(joined)):
        segments = [s.strip() for s in part.split(",") if s.strip()]
        for i, raw_seg in enumerate(segments):
            seg = clean_name(raw_seg) or ""
            if not seg:
                continue
            # the role as written: "Local Democracy Reporter" less its role is no name
            role = i > 0 and bool(_ROLE_WORDS.search(raw_seg) or _PLACE_LEAD.match(raw_seg))
            if i > 0 and (role or not _second_name(seg)):
                if role or len(seg.split()) > 1:
                    break  # "Jane Doe, Senior Reporter, Berlin": the rest is title/place
                continue  # "Jane Doe, London, John Roe": the first one's dateline
            if _ROLE_WORDS.search(seg) and not looks_like_name(seg):
                continue
            names.extend(_glued_agency(seg))
    return [n for n in names if n and not _URLISH.search(n)]


Found = tuple[str, str, str | None, bool]  # name, raw string, url, is an organization


_MAX_LD_NAMES = 20  # a hostile page's list of thousands is cut; bylines name a few
# Author entries read from JSON-LD (author and creator, in all) or from one meta tag name;
# each costs a name check, and a 16 MB page of a million entries took over a minute (bench
# pages: 27 JSON-LD entries, 67 meta tags at most).
_MAX_AUTHOR_ENTRIES = 100


def _ld_names(item: Any) -> list[str]:
    """The names of one JSON-LD author: each entry of a ``name`` given as a list (a CMS
    writing its co-authors into one Person), else the one name."""
    listed = item.get("name") if isinstance(item, dict) else None
    if isinstance(listed, list):
        texts = (structured.text_of(v) for v in listed[:_MAX_LD_NAMES])
        named = [t for t in texts if t]
        if named:
            return named
    name = _person_name(item) if isinstance(item, dict) else structured.text_of(item)
    return [name] if name else []


def _person_name(item: dict[str, Any]) -> str | None:
    name = structured.text_of(item.get("name"))
    if name:
        return name
    given, family = item.get("givenName"), item.get("familyName")
    parts = [p.strip() for p in (given, family) if isinstance(p, str) and p.strip()]
    return " ".join(parts) or None


# A forum thread or a question describes itself as a posting: its author is the one who
# opened it (the replies are the comments of the page).
_POSTING_TYPES = ("DiscussionForumPosting", "SocialMediaPosting", "Question")
# A page about one work (a blog's recipe, a how-to, a video or a podcast episode) names its
# author there when it declares no article.
_WORK_TYPES = ("Recipe", "HowTo", "VideoObject", "PodcastEpisode", "CreativeWork")


def _ld_authors(doc: Document) -> list[Found]:
    """From the article's JSON-LD author / creator (following ``@id`` references), else
    from the first posting's (a forum thread's opening post)."""
    out: list[Found] = []
    postings = itertools.islice(doc.json_ld_objects(*_POSTING_TYPES), 1)
    works = itertools.islice(doc.json_ld_objects(*_WORK_TYPES), 1)
    read = 0
    for obj in itertools.chain(structured.article_objects(doc), postings, works):
        for prop in ("author", "creator"):
            for item in structured.values(obj.get(prop)):
                read += 1
                if read > _MAX_AUTHOR_ENTRIES:
                    return out
                if isinstance(item, str) and item.startswith(("#", "http://", "https://")):
                    item = {"@id": item}  # an identifier alone: "author": ["#author-1"]
                item = doc.json_ld_node(item)
                is_org = (
                    isinstance(item, dict)
                    and "Person" not in ld_types(item)
                    and bool(ld_types(item))
                )
                url = (
                    doc.absolute(structured.url_of(item.get("url")))
                    if isinstance(item, dict)
                    else None
                )
                for name in _ld_names(item):
                    if not _URLISH.search(name):
                        out.extend((n, name, url, is_org) for n in split_names(name))
            if out:
                return out
    return out


def _reverse_citation_name(value: str) -> str:
    """Scholarly meta tags write "Family, Given"; news bylines write "Given Family"."""
    parts = [p.strip() for p in value.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and all(parts) else value


_ONE_WORD = re.compile(r"[A-ZÀ-Ý][\w'-]+")


def _family_first(value: str) -> str:
    """ "Doe, Jane" (a catalogue's order in an author meta tag: two single words, no agency)
    as "Jane Doe"; in a tag a place after the name is no convention ("Jane Doe, Berlin")."""
    parts = [p.strip() for p in value.split(",")]
    if (
        len(parts) == 2
        and all(_ONE_WORD.fullmatch(p) for p in parts)
        and not any(p.casefold() in AGENCIES for p in parts)
    ):
        return f"{parts[1]} {parts[0]}"
    return value


def _meta_authors(doc: Document) -> list[Found]:
    for name in _META_NAMES:
        values = doc.meta.get(name, ())[:_MAX_AUTHOR_ENTRIES]
        found: list[tuple[str, str, str | None, bool]]
        if name == "citation_author":
            values = [_reverse_citation_name(v) for v in values]
            found = [(clean(v) or "", v, None, False) for v in values if clean(v)]
        else:
            found = [
                (n, v, None, False)
                for v in values
                if v.strip() and not _URLISH.search(v.strip())
                for n in split_names(_family_first(_COPYRIGHT.sub("", v) or v))
            ]
        if found:
            return found
    return _labelled_meta_author(doc)


# "Written by" is one of the labelled pairs of values SEO plugins put in Twitter's card
# (twitter:label1 / twitter:data1, beside "Est. reading time"); a byline label there
# marks the value as the author.
_TWITTER_LABEL_PAIRS = 4


def _labelled_meta_author(doc: Document) -> list[Found]:
    """The value of the first Twitter card pair whose label is a byline label."""
    for i in range(1, _TWITTER_LABEL_PAIRS + 1):
        label = doc.meta_first(f"twitter:label{i}")
        if not label or len(label) > _MAX_LABEL_CHARS or not _BYLINE_LABEL.match(label):
            continue
        value = doc.meta_first(f"twitter:data{i}") or ""
        if value and not _URLISH.search(value):
            return [(n, value, None, False) for n in split_names(value)]
    return []


# Byline markup, most explicit first: each entry tells whether an element is a byline of
# that kind, whether every match counts (else the first with names) and whether the kind
# marks the author as such: a single word there (a first name or a handle) is the
# author's name, not a stray label. One XPath collects every candidate in a single pass
# over the page (seven passes cost ~3 ms).
# Paths of author pages in many languages ("/auteur/", "/yazar/", "/avtor/"; not "/by/": licences).
_AUTHOR_HREFS = (
    "/autor", "/author", "/journalist", "/redakteur", "/auteur", "/yazar", "/avtor", "/penulis",
    "/periodista", "/giornalist", "/reporter/", "/columnist", "/kolumnist", "/skribent",
    "/forfatter", "/szerzo", "/dziennikarz", "/redaktor",
)  # fmt: skip
# Class words of author markup in many languages ("auteur", "firma", "yazar", "writer").
_AUTHOR_CLASS_WORDS = (
    "uthor", "utor", "uteur", "writer", "firma", "yazar", "avtor", "penulis", "szerzo",
)  # fmt: skip
_BYLINE_CLASS_WORDS = (*_AUTHOR_CLASS_WORDS, "yline")  # $classed: pageindex.with_class
# The page's links are read once and their distinct addresses tested in Python: an XPath
# ``contains`` per path word copies every address again.
_AUTHOR_HREF = re.compile("|".join(map(re.escape, _AUTHOR_HREFS)))


def _author_links(doc: Document) -> list[Any]:
    """The page's links to author pages, in document order: what ``//a[@href]`` selects
    of them (the survey's links: an XPath would list every node of the page first)."""
    found = survey.survey(doc)
    links, hrefs = found.links, found.hrefs
    hits = {href for href in set(hrefs) if href and _AUTHOR_HREF.search(href)}
    return [link for link, href in zip(links, hrefs, strict=True) if href in hits] if hits else []


def _byline_candidates(doc: Document) -> list[Any]:
    """Byline and author classes, author-page links, author microdata and rel=author
    links (these two from the page's survey), in document order."""
    return in_document_order(
        doc.root,
        pageindex.with_class(doc, *_BYLINE_CLASS_WORDS),
        _author_links(doc),
        survey.survey(doc).author_marked,
    )


def _classes(el: HtmlElement) -> str:
    return el.get("class") or ""


_DESCENDANT_CLASS = lxml.etree.XPath("boolean(.//*[contains(@class, $word)])")
_FIRST_ARTICLE = lxml.etree.XPath("(//article)[1]")  # compiled once, not on each call


def _has_descendant_class(el: HtmlElement, word: str) -> bool:
    return bool(_DESCENDANT_CLASS(el, word=word))


def _in_author_item(el: HtmlElement) -> bool:
    return el.get("itemprop") == "name" and any(
        a.get("itemprop") == "author" for a in el.iterancestors()
    )


# An author class naming a picture's maker: "photo-author", "image-author", "bildautor".
_PICTURE_CLASS = re.compile(r"photo|image|foto|bild|picture|img|caption|credit", re.IGNORECASE)


def _author_class(el: HtmlElement) -> bool:
    classes = _classes(el)
    word = next((w for w in _AUTHOR_CLASS_WORDS if w in classes), None)
    return (
        word is not None
        and not _PICTURE_CLASS.search(classes)
        and not _has_descendant_class(el, "uthor" if word == "utor" else word)
        and not any(a.tag in ("figure", "figcaption") for a in el.iterancestors())
    )


# How far a kind marks its text as the author's name, for one-word names: a handle in
# microdata, rel=author or an hCard is the author; a link to an author page can be a label.
_STRONG, _WEAK, _NONE = 0, 1, None
_BYLINE_KINDS: tuple[tuple[Callable[[HtmlElement], bool], bool, int | None], ...] = (
    (_in_author_item, True, _STRONG),  # itemprop=author > itemprop=name
    (lambda el: el.get("itemprop") == "author", True, _STRONG),
    (survey.rdfa_author_name, True, _STRONG),  # RDFa rel="schema:author" > property="name"
    (survey.rdfa_author, True, _STRONG),  # RDFa property="schema:author"
    (lambda el: el.tag == "a" and "author" in (el.get("rel") or "").lower().split(), True, _STRONG),
    (lambda el: "byline" in _classes(el).split(), False, _NONE),
    (
        lambda el: "byline" in _classes(el) and not _has_descendant_class(el, "byline"),
        False,
        _NONE,
    ),
    (
        lambda el: el.tag == "a" and any(h in (el.get("href") or "") for h in _AUTHOR_HREFS),
        True,
        _WEAK,
    ),
    (_author_class, False, _NONE),
)
# A bold line of names opening the body ("<p><strong>Jane Doe/John Roe</strong></p>"):
# only among the container's first paragraphs, where bold lines are not subheadings.
_OPENING_BOLD_LINE = (
    "./descendant::p[position() <= 3][strong or b][normalize-space(.) = normalize-space(strong|b)]"
)
# ... or signing it off as the last paragraph (a bold line before others is a subheading).
_CLOSING_BOLD_LINE = (
    "./descendant::p[last()][strong or b][normalize-space(.) = normalize-space(strong|b)]"
)
_MAX_BYLINE_CHARS = 150


def _scope_rank(el: HtmlElement, scopes: list[HtmlElement]) -> int:
    """Index of the innermost preferred scope holding ``el`` (body container, article, page)."""
    ancestors = {id(a) for a in el.iterancestors()} | {id(el)}
    for rank, scope in enumerate(scopes):
        if id(scope) in ancestors:
            return rank
    return len(scopes)


def _byline_text(el: HtmlElement) -> str:
    """The text of a byline element: pieces joined by a space ("Show all articles
    of</span>Jane Doe" are two words), list items apart ("<li>Jane Doe</li><li>John
    Roe</li>" are two names)."""
    if len(el) > 1 and all(child.tag == "li" for child in el):
        return "; ".join(" ".join(child.itertext()) for child in el)
    return " ".join(el.itertext())


def _names_in(
    doc: Document,
    elements: list[HtmlElement],
    take_all: bool,
    site_keys: set[str],
    explicit: bool = False,
    spelled: bool = False,
) -> list[Found]:
    """Names in byline elements (the first element with names unless ``take_all``).

    With ``spelled`` (byline and author classes), a one-word name its link's address
    ends in counts as a full one (explicit markup has a one-word resort of its own).

    A single word counts only from ``explicit`` author markup (or as an agency);
    there a lower-case handle ("jdoe42") is a name too: the page presents it as one.
    """
    found: list[Found] = []
    examined = 0
    near: dict[int, HtmlElement] = {}
    # the first byline's class and parent: its co-authors' bylines share both
    co_class: str | None = None
    co_parent: HtmlElement | None = None
    for el in elements:
        if examined == 8:
            break
        if co_class is not None and (_classes(el) != co_class or el.getparent() is not co_parent):
            break
        if _in_comments(el) or (near and not near.keys() & _block(el).keys()):
            continue  # a later match far from the byline: a teaser's or a related post's
        examined += 1
        text = el.get("content") or _byline_text(el)
        if len(text) > _MAX_BYLINE_CHARS:
            # an author box: the name its link's address spells, else its name's own element
            text = _slug_name(doc, el) or _boxed_name(el) or ""
        if not text or text.rstrip().endswith(":"):
            continue  # too long for a byline, or a lead-in ("Aus der Einladung:")
        for candidate in _byline_readings(text):
            names = [
                (n, clean(text) or "", doc.absolute(el.get("href")), False)
                for n in split_names(candidate)
                if (looks_like_name(n) or (explicit and _HANDLE.match(n)))
                and (
                    explicit
                    or len(n.split()) > 1
                    or n.casefold() in AGENCIES
                    or n.casefold() in _DESK_ACCOUNTS
                    or (spelled and _key(n) in _link_words(el))
                )
                and not _is_site_like(n, False, site_keys)
                and not (co_class and _ROLE_WORDS.search(n))
            ]
            if names:
                found.extend(names)
                near = near or _block(el)
                break
        else:
            spelled_by = _slug_name(doc, el, el.getparent()) if el.tag == "a" else None
            if spelled_by and not _is_site_like(spelled_by, False, site_keys):
                # "<h3>More from Jane Doe</h3><a href='/author/janedoe'>9 articles</a>"
                found.append((spelled_by, spelled_by, doc.absolute(el.get("href")), False))
                near = near or _block(el)
        if found and not take_all:
            if co_class is None and _classes(el):
                # "<span class=author>A</span> and <span class=author>B</span>"
                co_class, co_parent = _classes(el), el.getparent()
                continue
            if co_class is None:
                break  # the first byline; later matches are comments or teasers
    return found


# The last segment of an author page's address spells the name ("/autoren/jane-doe-6841"),
# or a query value of a link to the author's other articles ("?q=jane-doe&by=author").
_MAX_SLUG_CHARS = 120  # a slug is short; a longer segment is cut to its end
_MAX_SLUG_PIECES = 40
_MAX_SLUG_LINKS = 4


def _slug_tail(segment: str) -> str:
    """``segment`` without the page's extension, an id and separators at its end:
    "jane-doe-6841.html" -> "jane-doe". String methods, not a regex anchored at the end,
    which a long run of digits makes quadratic."""
    segment = segment[-_MAX_SLUG_CHARS:]
    lower = segment.lower()
    for extension in (".html", ".htm"):
        if lower.endswith(extension):
            segment = segment[: -len(extension)]
            break
    return segment.rstrip("0123456789").rstrip("-_.")


def _slugs(doc: Document, el: HtmlElement) -> set[str]:
    """Keys of what the addresses of ``el`` (an author link or box) end in."""
    links = [el] if el.tag == "a" else list(itertools.islice(el.iter("a"), _MAX_SLUG_LINKS))
    slugs = set()
    for link in links:
        href = link.get("href") or ""
        if "uthor" not in href and "utor" not in href and not any(h in href for h in _AUTHOR_HREFS):
            continue  # not a link to the author's page or articles (a tag's, a share link)
        parts = urlsplit(doc.absolute(href) or "")
        tails = [parts.path.rstrip("/").rsplit("/", 1)[-1]]
        tails += [v for _, _, v in (q.partition("=") for q in parts.query.split("&")[:8])]
        slugs |= {_key(_slug_tail(t)) for t in tails}
    return {s for s in slugs if len(s) >= 5}


_WORD_SPLIT = re.compile(r"[\W_]+")


def _link_words(el: HtmlElement) -> set[str]:
    """The words the last path segment of a byline's link ends in: a one-word name
    there is the account's ("<a href='/user,profile,30,lars.html'>Lars</a>")."""
    link = el if el.tag == "a" else next(el.iter("a"), None)
    href = link.get("href") if link is not None else None
    if not href:
        return set()
    tail = _slug_tail(urlsplit(href.strip()).path.rstrip("/").rsplit("/", 1)[-1])
    return {w.casefold() for w in _WORD_SPLIT.split(tail)[-1:] if len(w) > 2}


def _slug_name(doc: Document, el: HtmlElement, box: HtmlElement | None = None) -> str | None:
    """The text piece of an author link or box (with a photo, a credit, the name and
    a link to more articles) that one of its addresses spells, else None. ``box``: the
    element whose text is read, when not ``el`` (a link's parent, holding the name)."""
    slugs = _slugs(doc, el)
    if not slugs:
        return None
    for piece in itertools.islice((box if box is not None else el).itertext(), _MAX_SLUG_PIECES):
        words = (clean_name(piece) or "").split()
        name = " ".join(words)
        if (
            1 < len(words) <= 4
            and all(w[0].isalpha() for w in words)  # not the photo's "© Jane Doe"
            and slugs & sitenames.spellings(_key(name))
        ):
            return name
    return None


# An author box ("About the author", a photo, the name, a biography) sets the name apart
# in an element of its own: a heading, bold text or a link.
_BOX_NAME_TAGS = ("h2", "h3", "h4", "h5", "h6", "strong", "b", "a")
_MAX_BOX_NAME_ELEMENTS = 6
_MAX_BOX_CHARS = 800  # a photo, a name, a biography of a few lines and links


def _boxed_name(box: HtmlElement) -> str | None:
    """The full name standing alone in one of an author box's first headings, bold texts
    or links (its biography then says who the author is), else None."""
    if len(" ".join(box.itertext())) > _MAX_BOX_CHARS:
        return None  # a wrapper around the post, its teasers and links, not a box
    for el in itertools.islice(box.iter(*_BOX_NAME_TAGS), _MAX_BOX_NAME_ELEMENTS):
        text = clean(" ".join(el.itertext())) or ""
        words = text.split()
        if (
            1 < len(words) <= 4
            and all(w[0].isalpha() for w in words)
            and clean_name(text) == text
            and _full_name(text)
        ):
            return text
    return None


_BYLINE_BLOCK_DEPTH = 3  # co-authors' links share an ancestor this close


def _block(el: HtmlElement) -> dict[int, HtmlElement]:
    """The nearest ancestors of a byline element: the block its co-authors share.

    The elements are kept as values: an lxml proxy's ``id`` is stable only while the
    proxy lives."""
    return {id(a): a for a in itertools.islice(el.iterancestors(), _BYLINE_BLOCK_DEPTH)}


# A user handle: one token of letters, digits, dots, hyphens or underscores.
_HANDLE = re.compile(r"^[^\W_][\w.-]{1,29}$")
# "Posted on May 3, 2024 by Jane Doe": the name follows the last "by" of a byline.
_LATE_BY = re.compile(r"\s(?:by|von|par|por|door)\s+(?=\S)", re.IGNORECASE)


def _byline_readings(text: str) -> Iterator[str]:
    """The byline text, then (if asked for) the text after its last "by" past the start."""
    yield text
    last = None
    for last in _LATE_BY.finditer(text):  # noqa: B007 - the loop finds the last match
        pass
    if last:
        yield text[last.end() :]


# Ids of comment threads whose classes say nothing: WordPress's "comments" and "respond",
# Disqus's "disqus_thread".
_COMMENTS_ID = re.compile(r"comment|(?<![a-z])respond|disqus", re.IGNORECASE)


def _comment_thread(el: HtmlElement) -> bool:
    """A comment thread or one of its comments, by its class or id."""
    classes, el_id = el.get("class"), el.get("id")
    return bool(classes and "comment" in classes.lower()) or bool(
        el_id and _COMMENTS_ID.search(el_id)
    )


def _in_comments(el: HtmlElement) -> bool:
    """Inside a form (a comment form's "Name *" field), a comment thread or the site's
    navigation: not a byline."""
    for node in itertools.chain((el,), el.iterancestors()):
        if node.tag in ("form", "nav") or _comment_thread(node):
            return True
    return False


def _dom_authors(
    doc: Document,
    container: HtmlElement | None,
    site_keys: set[str],
    one_word: tuple[list[Found], list[Found]] | None = None,
) -> list[Found]:
    """From byline markup: microdata, rel=author, byline and author classes.

    One XPath collects the candidates; matches inside the article container,
    then the first ``<article>``, come before matches elsewhere (comments, teasers).
    One-word names (handles, first names) from explicit author markup go to
    ``one_word`` (strong markup, then author-page links): the last resorts, as a
    full name anywhere is worth more.
    """
    candidates = _byline_candidates(doc)
    scopes = []
    if candidates:
        scopes = [
            s for s in (container, *cast(list[Any], _FIRST_ARTICLE(doc.root))) if s is not None
        ]
    for is_kind, take_all, trust in _BYLINE_KINDS if candidates else ():
        matches = [el for el in candidates if is_kind(el)]
        if not matches:
            continue
        ranks = [(_scope_rank(el, scopes), el) for el in matches[:40]]
        for scope_rank in sorted({rank for rank, _ in ranks}):
            in_scope = [el for rank, el in ranks if rank == scope_rank]
            in_scope = in_scope if take_all else _without_teaser_lists(in_scope)
            found = _names_in(doc, in_scope, take_all, site_keys, spelled=trust is None)
            if found:
                return found
            if trust is not None and one_word is not None and not one_word[trust]:
                # one handle from author-page links: the next ones are other posts' labels
                every = take_all and trust == _STRONG
                one_word[trust].extend(_names_in(doc, in_scope, every, site_keys, explicit=True))
    if container is not None:
        return _names_in(doc, container.xpath(_OPENING_BOLD_LINE), False, site_keys) or _names_in(
            doc, container.xpath(_CLOSING_BOLD_LINE), False, site_keys
        )
    return []


# A letter's or a post's signature closing the body: "Jane Doe<br>Chair of the Board",
# "Benni<br>10. September 2017", or "...the last sentence.<br><em>Jane Doe</em>".
_SIGNATURE_PARAGRAPHS = "./descendant::p[position() > last() - 2]"
_MAX_SIGNATURE_LINES = 4
_MAX_SIGNATURE_CHILDREN = 40
_MAX_ROLE_CHARS = 60
_EMPHASIS = frozenset({"em", "i", "strong", "b"})
_SIGN_DASH = re.compile(r"^(?:[-–—]{1,2}|~)\s*(\S.{0,60})$")


def _lines(paragraph: HtmlElement) -> list[tuple[str, bool]]:
    """The lines of a paragraph broken by ``<br>``: (text, set in one emphasis element).
    A paragraph of many elements is no signature: it has no lines."""
    if len(paragraph) > _MAX_SIGNATURE_CHILDREN:
        return []
    lines: list[tuple[list[str], list[Any]]] = [([paragraph.text or ""], [])]
    for child in paragraph:
        if child.tag == "br":
            lines.append(([], []))
        else:
            lines[-1][0].append(child.text_content() if isinstance(child.tag, str) else "")
            lines[-1][1].append(child.tag)
        lines[-1][0].append(child.tail or "")
    out = []
    for parts, tags in lines:
        line = " ".join("".join(parts).split())
        if line:
            out.append((line, len(tags) == 1 and tags[0] in _EMPHASIS))
    return out


def _signature(container: HtmlElement | None, site_keys: set[str]) -> list[Found]:
    """The name signing one of the body's last two paragraphs, else []."""
    if container is None:
        return []
    for last, paragraph in enumerate(reversed(container.xpath(_SIGNATURE_PARAGRAPHS)), 1):
        lines = _lines(paragraph)
        if not lines:
            continue
        if len(lines) == 1 and last == 1:
            # the last paragraph alone: "<em>Jane Doe</em>", "— Jane Doe"
            dashed = _SIGN_DASH.match(lines[0][0])
            name = dashed.group(1) if dashed else lines[0][0] if lines[0][1] else ""
            if _full_name(name) and not _is_site_like(name, False, site_keys):
                return [(name, name, None, False)]
            continue
        name, after = lines[0][0], [t for t, _ in lines[1:]]
        if len(lines) > 1 and lines[-1][1] and len(lines[0][0]) > _MAX_ROLE_CHARS:
            # prose, then "<br><em>Jane Doe</em>"
            name, after = lines[-1][0], []
        elif (
            not 2 <= len(lines) <= _MAX_SIGNATURE_LINES
            or lines[0][1]  # a bold label of a fact sheet: "<b>Architect</b><br>Jane Doe"
            or any(len(t) > _MAX_ROLE_CHARS or _DOMAINISH.search(t) for t in after)
        ):
            continue
        dated = bool(after) and _date_or_time(after[0])
        if not looks_like_name(name) or _is_site_like(name, False, site_keys):
            continue
        if _full_name(name) or (dated and _first_name_only(name)):
            return [(name, name, None, False)]
    return []


_TEASER_LIST = 3  # this many bylines of one class, far apart and naming others: a list


def _without_teaser_lists(matches: list[HtmlElement]) -> list[HtmlElement]:
    """The matches less those of a class that marks a list of teasers: the class
    recurs in separate blocks, naming different people (co-authors' bylines of one
    class sit in one block)."""
    by_class: dict[str, list[HtmlElement]] = {}
    for el in matches:
        if not _in_comments(el):
            by_class.setdefault(_classes(el), []).append(el)
    lists = set()
    for cls, els in by_class.items():
        if not cls or len(els) < _TEASER_LIST:
            continue
        first_block = _block(els[0]).keys()
        apart = any(not first_block & _block(el).keys() for el in els[1:])
        texts = {" ".join(" ".join(el.itertext()).split())[:_MAX_BYLINE_CHARS] for el in els}
        if apart and len(texts) > 1:
            lists.add(cls)
    return [el for el in matches if _classes(el) not in lists] if lists else matches


# Labels that lead a writer's name before a colon in a line of its own, many languages.
_COLON_LABEL_WORDS = (
    r"(?:autor(?:in|en|a|as|es|ka|ki|e|i|ius|iai|s)?|authors?|auteurs?|autrice|avtor(?:ica)?"
    r"|(?:tekst(?:i)?|text(?:e|o)?|testo)(?:\s*(?:&|\+|und|and|et|y|e|i|en|och|og)\s*"
    r"(?:fotos?|photos?|bilder|fotografías?|fotografie|zdjęcia|foto's))?"
    r"|автор(?:ы|ка)?|текст|szöveg|szerző|yazan|yazar|muhabir|verfasser(?:in)?"
    r"|haber|reporter(?:in)?|redaktion|redação|redacción|rédaction|redazione|redactie|words"
    r"|piše|napisal[a]?|tác giả|forfatter|författare|kirjoittaja|skribent|نویسنده|लेखक"
    r"|redakteur(?:in)?|gastautor(?:in)?|penulis|autor(?:ka)? článku|автор статьи|كتب|מאת"
    r"|автор матеріалу|napisao|napisala|írta|συντάκτ(?:ης|ρια))"
)
# A byline label alone ("Autorin/Autor", "Ein Artikel von", "Written by:") or leading a
# short line ("By Jane Doe", "Eine Kolumne von Jane Doe").
_BYLINE_LABEL = re.compile(
    r"^(?:(?:autor(?:in)?(?:/autor(?:in)?)?|autoren|author|authors|text|von|by|par|por|door"
    r"|auteur|auteurs|autrice|autore|autori|autora|autores|autorka|forfatter|författare|yazar"
    r"|szerző|автор|авторы|interview|words"
    rf"|{_BYLINE_LEAD})\s*:?|{_COLON_LABEL_WORDS}\s*:|{_CJK_LABELS}\s*[:：]?)$",
    re.IGNORECASE,
)
_BYLINE_LINE = re.compile(
    rf"^(?:{_BYLINE_LEAD}|by|von|par|por|door|da|av|af|oleh|بقلم|โดย|του|της|написала?"
    rf"|napisała?|kirjoittanut|γράφει\s+(?:ο|η))\s*:?\s+\S|^{_OUR_ROLE}\S"
    rf"|^{_COLON_LABEL_WORDS}\s*:\s*\S"
    rf"|^{_CJK_LABELS}\s*{_CJK_COLON}\s*\S|^{_CJK_SPACED_LABELS}\s+\S|^[가-힣]{{2,4}}\s?{_KOREAN_ROLE}"
    r"|^(?-i:di|de)\s+[A-ZÀ-Ý]",
    re.IGNORECASE,
)
# A plural label leading names without a colon: "Autoren Jane Doe und John Roe", "Authors
# Jane Doe and John Roe" (read only when it names two or more: prose says "Authors say").
_PLURAL_LABEL_LINE = re.compile(
    r"^(?:autoren|authors|auteurs|autores|autori|autorzy|авторы|автори|forfattere|yazarlar"
    r"|szerzők)\s+(?-i:[A-ZÀ-ÝА-Я])",
    re.IGNORECASE,
)
# A labelled or led line just after the body signs it off ("Autor: Jane Doe", "责任编辑：张三",
# "Posted by Jane Doe at 10:00"); an unlabelled "By Jane Doe" there is the next teaser's.
_SIGN_OFF = re.compile(
    rf"^{_COLON_LABEL_WORDS}\s*:\s*\S|^{_CJK_LABELS}\s*{_CJK_COLON}\s*\S|^{_BYLINE_LEAD}\s*:?\s+\S",
    re.I,
)
_SIGN_OFF_PIECES = 3
# "Posted in News by Jane Doe", "Filed under Politics by Jane Doe": a section, then the name.
_FILED_BY = re.compile(
    r"^(?:this entry was )?(?:posted|filed|published)\s+(?:in|under)\s+[^|·•]{1,60}?\s+(?=by\s+\S)",
    re.IGNORECASE,
)
_BYLINE_SCAN_PIECES = 1500  # non-blank text pieces: navigation, header, then the byline
_MAX_LABEL_CHARS = 40  # the longest label alone ("Ein Gastbeitrag von", "Written by:") is shorter
_PIECES_AFTER_BODY = 100  # an author box after the article; then the page's footer


def _handle(text: str) -> bool:
    """A lower-case account name ("jdoe42", "fri.juli"), not a word of a cased script's
    prose: one token holding no capital."""
    return bool(_HANDLE.match(text)) and not any(ch.isupper() for ch in text) and _has_case(text)


def _labelled_byline(
    doc: Document,
    container: HtmlElement | None,
    site_keys: set[str],
    one_word: list[Found] | None = None,
    contact: list[Found] | None = None,
) -> list[Found]:
    """Last resort for pages without byline markup: a labelled line near the top.

    Scans the first text pieces of the page for a label ("Autorin/Autor")
    followed by the name, or for a "By Jane Doe" line before the end of the
    article body (such lines after it belong to teasers of other articles).
    Only name-like results count.
    """
    body = doc.root.find("body")
    if body is None:
        return []
    last = container
    while last is not None and len(last):  # the last element in document order
        last = last[-1]
    before_end = True
    after_label = after_contact = False
    pending: tuple[str, int] | None = None  # a contact's name, pieces left to confirm it
    left_after_end = _PIECES_AFTER_BODY
    h1 = next((el for el in survey.survey(doc).headings if el.tag == "h1"), None)
    headline = clean(h1.text_content()) if h1 is not None else None
    since_headline = None  # text pieces read since the headline's
    before_headline: deque[str] = deque(maxlen=3)
    pieces = itertools.islice(_marked_pieces(body, last), _BYLINE_SCAN_PIECES)
    for text in pieces:
        if text is _END_OF_BODY:
            before_end = False
            continue
        if not before_end:
            left_after_end -= 1
            if not left_after_end:
                break  # far past the article: other articles' and the site's labels
        line = _LEADING_SEPARATOR.sub("", text)  # "05.02.2020 </span><span>- Von Jane Doe"
        filed = _FILED_BY.match(line)
        line = line[filed.end() :] if filed else line  # "Posted in News by Jane Doe"
        if len(line) <= _MAX_LABEL_CHARS and _BYLINE_LABEL.match(line):
            after_label = True
            continue
        if contact is not None and not contact:
            pending = _contact_person(line, pending, after_contact, contact)
            after_contact = len(line) <= _MAX_LABEL_CHARS and bool(_CONTACT_LABEL.match(line))
            if after_contact:
                continue
        if since_headline is not None:
            since_headline += 1
            dated = since_headline <= _DATED_LINE_PIECES and _dated_name(text, site_keys)
            if dated:
                return [(dated, text, None, False)]
        elif headline and text == headline[: len(text)]:
            since_headline = 0
            dated = next(filter(None, (_dated_name(t, site_keys) for t in before_headline)), None)
            if dated:  # a meta line just above the headline
                return [(dated, dated, None, False)]
        else:
            before_headline.append(text)
        if after_label and _TITLE_PIECE.match(line):
            continue  # "Autor: <a>Rechtsanwalt</a> Jane Doe": the title, then the name
        signing_off = left_after_end > _PIECES_AFTER_BODY - _SIGN_OFF_PIECES
        by_line = (
            (before_end or signing_off)  # the cheap tests first: most lines are no byline
            and len(line) < _MAX_BYLINE_CHARS
            and _BYLINE_LINE.match(line)
            and (before_end or _SIGN_OFF.match(line))
        )
        plural = (
            not by_line
            and before_end
            and len(line) < _MAX_BYLINE_CHARS
            and bool(_PLURAL_LABEL_LINE.match(line))
        )
        if after_label or by_line or plural:
            names = [
                n
                for n in split_names(line)
                if looks_like_name(n)
                and (len(n.split()) > 1 or not _has_case(n))  # a CJK name is one word
                and not _is_site_like(n, False, site_keys)
            ]
            if names and (len(names) > 1 or not plural):
                found: list[Found] = [(n, line, None, False) for n in names]
                return found + _co_authors(pieces, site_keys) if after_label else found
            if (
                after_label
                and one_word is not None
                and not one_word
                and _handle(line)
                and not _joiner_piece(line)  # "Von <a>A</a> und <a>B</a>"
                and not _is_site_like(line, False, site_keys)
            ):
                # "by <span class=author>oz</span>": a lower-case account name in a piece of
                # its own after the label, worth less than the site's credit
                one_word.append((line, line, None, False))
            if by_line and one_word is not None and not one_word and _LED_LINE.match(line):
                # "Posted by Konstantin": a first name, worth less than the site's credit
                # (a bare "von Säure" or "by Barbour" is as often prose or a brand)
                one_word.extend(
                    (n, line, None, False)
                    for n in split_names(line)[:1]
                    if _first_name_only(n) and looks_like_name(n)
                )
        after_label = False
    return []


_MAX_CO_AUTHORS = 4


def _joiner_piece(piece: str) -> bool:
    """A piece that only joins co-authors' names set in elements of their own ("Von <a>A</a>
    und <a>B</a>", ", and", ","): a word of the names' joiners, not a separator ("|", "·"),
    which as often leads a section or a date."""
    word = piece.strip().removeprefix(",").strip()
    return not word or (
        (word == "&" or any(ch.isalpha() for ch in word)) and bool(_JOINERS.fullmatch(f" {word} "))
    )


def _co_authors(pieces: Iterator[str], site_keys: set[str]) -> list[Found]:
    """The names after a labelled name in its own piece, each after a joiner of its own
    ("und", ","): the byline's co-authors."""
    found: list[Found] = []
    for _ in range(_MAX_CO_AUTHORS):
        joiner = next(pieces, _END_OF_BODY)
        if joiner is _END_OF_BODY or not _joiner_piece(joiner):
            break
        name = next(pieces, _END_OF_BODY)
        names = [] if name is _END_OF_BODY else split_names(name)
        if len(names) != 1 or not _full_name(names[0]) or _is_site_like(names[0], False, site_keys):
            break
        found.append((names[0], name, None, False))
    return found


# A press release's contact person: its author when nobody else is named.
_CONTACT_LABEL = re.compile(
    r"^(?:(?:presse|medien)?(?:kontakt|ansprechpartner(?:in)?)|(?:press|media)\s+contacts?"
    r"|contact\s+(?:presse|pour la presse)|contacto\s+de\s+prensa)\s*:?$",
    re.IGNORECASE,
)
_CONTACT_PIECES = 6  # name, role, phone, then the address


def _contact_person(
    line: str, pending: tuple[str, int] | None, after_label: bool, contact: list[Found]
) -> tuple[str, int] | None:
    """Follow a contact block: the full name after the label is the contact person once
    an e-mail address a few lines on spells its family name ("jane.doe@example.org");
    a name without one is a place or a company of an address block."""
    if pending:
        name, left = pending
        family = _key(name.split()[-1])
        if any(family in _key(m.group().split("@")[0]) for m in _EMAIL.finditer(line[:200])):
            contact.append((name, name, None, False))
            return None
        return (name, left - 1) if left > 1 else None
    if after_label:
        names = split_names(line)[:1]
        if names and _full_name(names[0]):
            return (names[0], _CONTACT_PIECES)
    return None


# A title or profession in its own element between a byline label and the name.
_TITLE_PIECE = re.compile(
    r"^(?:dr\.?|prof\.?|dipl\.-\w+\.?|mag\.?|rechtsanw[aä]lt(?:in)?|fachanw[aä]lt(?:in)?"
    r"|notar(?:in)?|steuerberater(?:in)?|attorney|lawyer|avocat|avvocato|abogad[oa])$",
    re.IGNORECASE,
)
_LED_LINE = re.compile(rf"^{_BYLINE_LEAD}\s*:?\s+\S", re.IGNORECASE)
_LEADING_SEPARATOR = re.compile(r"^[-–—|·•]+\s*")


# A meta line under the headline: "04.02.2022 | 13:10 Uhr | Jane Doe", "11.12.2019 - Jane Doe".
_DATED_LINE_PIECES = 12
_META_SEPARATORS = re.compile(r"\s+[|·•–—-]\s+|\s*[|·•]\s*")
# Dates in figures and times; dates in words are read with the dates' month names.
_NUMERIC_DATE = (
    r"(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}:\d{2}(?:\s*(?:uhr|h|am|pm))?)"
)
_NUMERIC_DATE_OR_TIME = re.compile(_NUMERIC_DATE, re.IGNORECASE)
_NUMERIC_DATE_BEFORE = re.compile(rf"{_NUMERIC_DATE}$", re.IGNORECASE)
_DATE_TEXT_CHARS = 40  # the longest written date with its time ("3 de septiembre de 2024 ...")


def _date_or_time(text: str) -> bool:
    """A piece that is a date or a time and nothing else: "04.02.2022", "13:10 Uhr",
    "3 May 2024", "May 3, 2024"."""
    if _NUMERIC_DATE_OR_TIME.fullmatch(text):
        return True
    found = dates.written_date(text)
    return found is not None and found.start() == 0 and found.end() == len(text)


def _ends_with_date(text: str) -> bool:
    """Does a date (or a time) close this text? "Posted on May 3, 2024"."""
    text = text.rstrip()
    if _NUMERIC_DATE_BEFORE.search(text):
        return True
    tail = text[-_DATE_TEXT_CHARS:]
    found = dates.written_date(tail)
    return found is not None and found.end() == len(tail)


# "Posted on May 3, 2024 by Jane Doe", "Publié le 3 mai 2024 par Jean Dupont": a date, then
# the name after "by" closing the line.
# "... by Jane Doe in <a>News</a>": the section's "in" ends the name.
_THEN_BY = re.compile(
    r"\s+(?:by|von|par|por|door|di|da|przez|af|av)\s+(?P<name>[^|·•]+?)"
    r"(?:\s+(?:in|im|en|dans|em)(?:\s.*)?)?$",
    re.IGNORECASE,
)


# "5 min read", "3 Min. Lesezeit": beside the date in a meta line, no name.
_READING_TIME = re.compile(
    r"^\d{1,3}\s*(?:min(?:ute[ns]?|s|uti|utos)?\.?)(?:\s+(?:read|lesezeit|de lecture|de lectura"
    r"|di lettura|leestijd|lästid|czytania))?$",
    re.IGNORECASE,
)


def _date_then_by(text: str) -> re.Match[str] | None:
    """The "by <name>" closing a line right after a date, else None."""
    late = _THEN_BY.search(text)
    while late:
        if _ends_with_date(text[: late.start()]):
            return late
        late = _THEN_BY.search(text, late.start() + 1)
    return None


def _dated_name(text: str, site_keys: set[str]) -> str | None:
    """The full name in a short line of a date (and time) and one name, else None."""
    late = _date_then_by(text) if len(text) < 80 else None
    if late:
        name = clean_name(late.group("name"))
        if name and _full_name(name) and not _is_site_like(name, False, site_keys):
            return name
    parts = [p.strip() for p in _META_SEPARATORS.split(text)] if len(text) < 80 else []
    dated = [p for p in parts if _date_or_time(p)]
    others = [p for p in parts if p and not _date_or_time(p) and not _READING_TIME.match(p)]
    if not dated or len(others) != 1 or any(ch.isdigit() for ch in others[0]):
        return None  # a digit: a labelled date ("Last update: 30.04.2024"), not a name
    name = clean_name(others[0])
    if name and _full_name(name) and not _is_site_like(name, False, site_keys):
        return name
    return None


_END_OF_BODY = "\x00end-of-body"
_SKIPPED_TAGS = frozenset({"nav", "figure", "figcaption"})
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})


def _marked_pieces(body: HtmlElement, last: HtmlElement | None) -> Iterator[str]:
    """Non-blank visible text pieces of ``body`` in reading order (an element's tail after
    its children's text: "Von <b><a>Jane Doe</a></b> und"); a marker follows the article
    body's end.

    The site's navigation is left out: a menu's "Authors" link is no byline label; so are
    figures and captions: "By John Roe" there credits the picture, and comment threads
    after the body. A left-out element's subtree is not walked (a site's menus can hold
    hundreds of links); when it holds the body's end, the marker follows it.
    """
    # ``last`` and its ancestors, kept alive while their ids are compared (an lxml proxy's
    # id is stable only while the proxy lives)
    holders = [last, *last.iterancestors()] if last is not None else []
    holding_last = {id(el) for el in holders}
    after_body = False
    open_elements: list[HtmlElement] = [body]  # the element being read and its ancestors
    children = [iter(body)]  # the children left to read of each open element
    while children:
        for el in children[-1]:
            tag = el.tag  # each read of .tag and .text builds a new string
            if tag in _SKIPPED_TAGS or (after_body and _comment_thread(el)):
                if id(el) in holding_last:
                    after_body = True
                    yield _END_OF_BODY
            else:
                if isinstance(tag, str) and tag not in _INVISIBLE_TAGS:
                    text = el.text
                    if text and not text.isspace():
                        yield text.strip()
                if el is last:
                    after_body = True
                    yield _END_OF_BODY
                if len(el):
                    open_elements.append(el)
                    children.append(iter(el))
                    break
            tail = el.tail
            if tail and not tail.isspace():
                yield tail.strip()
        else:
            children.pop()
            done = open_elements.pop()
            if children:  # the body's own tail is outside it
                tail = done.tail
                if tail and not tail.isspace():
                    yield tail.strip()


# Forum software marks a poster's name with a "username" class (XenForo, phpBB, vBulletin):
# the first one outside the replies is the thread's opener. Its elements come from the
# page's class index (one read of the class attributes): an XPath asking every element
# for the class cost several times more, and libxml2 gathers the parents of a node set of
# attributes in time quadratic in its size (100,000 "username" posts took 40 s).
_USERNAME_CLASSES = frozenset({"username", "username-coloured"})
_XML_SPACE = re.compile("[ \t\r\n]+")  # what XPath's normalize-space() collapses


def _first_username(doc: Document) -> HtmlElement | None:
    """The first element whose class holds the word "username" or "username-coloured"
    (split at XML white space, as ``contains(concat(" ", normalize-space(@class), " "),
    " username ")`` does)."""
    for el in pageindex.with_class(doc, "username"):
        if not _USERNAME_CLASSES.isdisjoint(_XML_SPACE.split(el.get("class"))):
            return cast(HtmlElement, el)
    return None


def _forum_username(doc: Document, site_keys: set[str]) -> list[Found]:
    """Last resort: the first poster's name of a forum page, else the user its first
    avatar names ("Profilbild von jdoe42")."""
    el = _first_username(doc)
    if el is not None and not _in_comments(el):
        return _names_in(doc, [el], False, site_keys, explicit=True)
    for img in _avatars(doc):
        match = _AVATAR_ALT.match(img.get("alt") or "")
        name = match.group(1).strip() if match else ""
        if not match and "avatar" in (img.get("class") or "").lower():
            name = (img.get("alt") or "").strip()  # <img class="avatar" alt="jdoe42">
            name = "" if _BARE_AVATAR.fullmatch(name) else name
        if name and _HANDLE.match(name.replace(" ", "_")):
            return [] if _in_comments(img) else [(name, name, None, False)]
    return []


# WordPress marks the comments a post's own author wrote with the class "bypostauthor"
# (its comment_class()): on a user's post (a deal, a recipe, a diary entry) the author
# answering readers is named in that comment's author element or avatar.
_POST_AUTHOR_CLASS = "bypostauthor"
_COMMENT_NAME_CLASSES = frozenset({"comment-author", "comment-author-name"})
_MAX_COMMENT_ELEMENTS = 40  # the author element opens the comment: its header
_MAX_COMMENT_PIECES = 8


def _post_authors_reply(doc: Document, site_keys: set[str]) -> list[Found]:
    """Last resort: the name in the first comment the post's author wrote: an hCard's
    ``fn`` ("<b class=fn>Jane Doe</b> says:") or an avatar's alt text first, else the
    comment's author element."""
    comment = next(
        (
            c
            for c in pageindex.with_class(doc, _POST_AUTHOR_CLASS)
            if _POST_AUTHOR_CLASS in _XML_SPACE.split(c.get("class"))
        ),
        None,
    )
    if comment is None:
        return []
    named: list[str] = []
    for el in itertools.islice(comment.iterdescendants(lxml.etree.Element), _MAX_COMMENT_ELEMENTS):
        classes = _XML_SPACE.split(el.get("class") or "")
        avatar = _AVATAR_ALT.match(el.get("alt") or "") if el.tag == "img" else None
        if avatar or "fn" in classes:
            named = [avatar.group(1) if avatar else _piece_text(el)]
            break
        if not named and not _COMMENT_NAME_CLASSES.isdisjoint(classes):
            named = [_piece_text(el)]
    name = " ".join(named[0].split()) if named else ""
    if not name or len(name) > _MAX_LABEL_CHARS or _is_site_like(name, False, site_keys):
        return []
    return [(n, name, None, False) for n in split_names(name)[:1] if _handle_or_name(n)]


def _piece_text(el: HtmlElement) -> str:
    """The first text pieces of an element (a hostile comment header may hold a page)."""
    return " ".join(itertools.islice(el.itertext(), _MAX_COMMENT_PIECES))


def _handle_or_name(text: str) -> bool:
    return looks_like_name(text) or bool(_HANDLE.match(text))


# A user's picture on user-content sites: "Profilbild von jdoe42", "Avatar of Jane Doe".
_AVATAR_WORDS = "(?:profilbild|benutzerbild|avatar|profile picture|profile photo|photo de profil)"
_AVATAR_ALT = re.compile(
    rf"^\s*{_AVATAR_WORDS}\s+(?:von|of|für|de|di)\s+(\S[^<>]{{0,39}})$", re.IGNORECASE
)
# ... or an avatar's alt naming no one ("Avatar", "Profilbild").
_BARE_AVATAR = re.compile(rf"{_AVATAR_WORDS}|user|benutzer|image|bild|photo|foto", re.I)
_MAX_AVATARS = 4
_AVATAR_LABELS = (  # alt text openings, each with the capitals XPath's translate() lowered
    (str.maketrans("PBA", "pba"), "profilbild "),
    (str.maketrans("PBA", "pba"), "benutzerbild "),
    (str.maketrans("A", "a"), "avatar "),
    (str.maketrans("P", "p"), "profile p"),
)


def _avatars(doc: Document) -> list[HtmlElement]:
    """The page's first user pictures: an alt text opening with an avatar word, or an
    "avatar" class with an alt text. Read from the page's survey (its ``<img>`` taken right
    after the parse): an XPath over the whole page costs several times more after the body
    walk."""
    found = []
    images = survey.page_wide(doc.root, survey.survey(doc).images, "img")
    for img in images:
        alt = img.get("alt") or ""
        if any(alt.translate(lower).startswith(label) for lower, label in _AVATAR_LABELS) or (
            "avatar" in (img.get("class") or "") and len(alt) > 1
        ):
            found.append(img)
            if len(found) == _MAX_AVATARS:
                break
    return found


def _site_keys(doc: Document, publisher: str | None) -> set[str]:
    keys = {_key(n) for n in (publisher, doc.meta_first("og:site_name")) if n}
    host = (urlsplit(doc.url).hostname or "") if doc.url else ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    if len(labels) >= 2:
        keys.add(_key(labels[-2] if len(labels[-2]) > 3 or len(labels) < 3 else labels[-3]))
        keys.add(_key(".".join(labels)))
    return {k for k in keys if k}


# "Die FURCHE" on furche.at: an article before the site's name.
_LEADING_ARTICLE = re.compile(r"^(?:the|die|der|das|le|la|les|el|il|lo|de|het)\s+", re.IGNORECASE)
# A legal form names a company or association, not a person ("Example Media GmbH").
_LEGAL_FORM = re.compile(
    r"(?:^|\s)(?:e\.\s?V\.|g?GmbH|mbH|AG|KG|SE|Inc\.?|Ltd\.?|LLC|Corp\.?|S\.\s?A\.|S\.\s?L\.|"
    r"S\.\s?p\.\s?A\.|B\.\s?V\.|N\.\s?V\.|plc|Pty)(?=\s|$|,)"
)


def _is_site_like(name: str, is_org: bool, site_keys: set[str]) -> bool:
    """The site's own name (or an organisation byline standing in for it)."""
    k = _key(name)
    if (
        _DOMAINISH.search(name)
        or k in site_keys
        or _key(_LEADING_ARTICLE.sub("", name)) in site_keys
    ):
        return True
    return any(k.startswith(site) for site in site_keys if len(site) >= 3) or (
        is_org and name.casefold() not in AGENCIES
    )


def _order(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """People before agencies, first mention kept, duplicates dropped."""
    seen: set[str] = set()
    unique = []
    for author in names:
        k = _key(author["name"])
        if k and k not in seen:
            seen.add(k)
            unique.append(author)
    return sorted(unique, key=lambda a: a["name"].casefold() in AGENCIES)


def extract_authors(
    doc: Document,
    publisher: str | None = None,
    container: HtmlElement | None = None,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """Authors as ``[{name, name_raw, url}]`` (see :func:`_extract_authors`).

    ``lang`` is the page's language (the engine's, else the markup's ``<html lang>``):
    a word that joins names in one language is a place's preposition in another.
    """
    lang = lang or doc.lang
    token = _PAGE_LANGUAGE.set(lang.split("-")[0].split("_")[0].casefold() if lang else None)
    try:
        return _extract_authors(doc, publisher, container)
    finally:
        _PAGE_LANGUAGE.reset(token)


def _extract_authors(
    doc: Document, publisher: str | None = None, container: HtmlElement | None = None
) -> list[dict[str, Any]]:
    """Authors as ``[{name, name_raw, url}]``: people and agencies, first source that has any.

    The site's own name is dropped. It is kept only as the sole credit of a
    byline or author meta tag ("Salzburger Nachrichten" crediting its newsroom),
    never from a JSON-LD Organization author, which CMSs fill with the publisher
    by default.
    """
    site_keys = _site_keys(doc, publisher)
    fallback: list[dict[str, Any]] = []
    desk: list[dict[str, Any]] = []
    one_word: tuple[list[Found], list[Found]] = ([], [])
    contact: list[Found] = []
    short: list[dict[str, Any]] = []
    sources = (
        _ld_authors,
        _meta_authors,
        lambda d: _dom_authors(d, container, site_keys, one_word),
        lambda d: _labelled_byline(d, container, site_keys, one_word[_WEAK], contact),
        lambda d: one_word[_STRONG],
        lambda d: _forum_username(d, site_keys),
        lambda d: _signature(container, site_keys),
        lambda d: _post_authors_reply(d, site_keys),
    )
    for rank, source in enumerate(sources):
        found = [f for f in source(doc) if f[0].casefold() not in _GENERIC_ACCOUNTS]
        desk = desk or [
            {"name": n, "name_raw": raw, "url": url}
            for n, raw, url, _ in found
            if n.casefold() in _DESK_ACCOUNTS
        ]
        found = [f for f in found if f[0].casefold() not in _DESK_ACCOUNTS]
        people = _people(found, site_keys)
        if short:
            people = _completed(short, people)
            if people == short:
                continue
        elif people and all(_first_name_only(a["name"]) for a in people):
            short = people  # "Nils": a later source may give "Nils Pickert"
            continue
        if people and rank < 2 and not short and not _shown(doc, people):
            people = _shown_byline(doc, container, site_keys) or people
        if people:
            return _order(people)
        fallback = fallback or [
            {"name": n, "name_raw": raw, "url": url}
            for n, raw, url, is_org in found
            if not (is_org and _is_site_like(n, False, site_keys))
            and not _other_domain(raw, site_keys)
        ]
    if short:
        return _order(short)
    # The site's or a desk's credit outranks a one-word label of a link to an author page.
    weak = [f for f in one_word[_WEAK] if f[0].casefold() not in _GENERIC_ACCOUNTS]
    personal = [{"name": n, "name_raw": raw, "url": None} for n, raw in _site_owner(doc)]
    return _order(
        personal
        or fallback
        or _marked_site_credit(doc, site_keys)
        or _closing_credit(container, site_keys)
        or desk
        or _people(contact, site_keys)
        or _people(weak, site_keys)
        or _dateline_agency(container)
    )


# A personal site is named after its owner: "Dr. Jane Doe" (site name), "Jane Doe's
# Digital Home" (title) on jane-doe.net. The owner writes its pages. A title before the
# name or a possessive after it tells a person from a two-word brand ("Golf Post").
_OWNER_WORDS = 3
_OWNER_WORD = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?$")
_OWNER_TITLE = re.compile(r"^(?:dr|prof|mag|dipl|ing|mr|mrs|ms|herr|frau)\.?$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_MAX_OWNER_TEXT = 200


def _site_owner(doc: Document) -> list[tuple[str, str]]:
    """The person whose full name the site's host spells, as the site's name or title
    write it (last resort: a personal site's pages are its owner's)."""
    labels = sitenames.domain_keys(sitenames.host(doc.url))
    host_key = min(labels, key=len) if labels else ""
    if len(host_key) < 6:  # "jd.net": initials are no name to check against
        return []
    texts = (doc.meta_first("og:site_name"), title_text(doc))
    for text in texts:
        words = (text or "")[:_MAX_OWNER_TEXT].split()
        for start, size in itertools.product(range(len(words)), (2, _OWNER_WORDS)):
            window = words[start : start + size]
            if len(window) < size:
                continue
            window[-1] = _POSSESSIVE.sub(lambda _: "", window[-1])
            person = (start and _OWNER_TITLE.match(words[start - 1])) or window[-1] != words[
                start + size - 1
            ]
            name = " ".join(window)
            if (
                person
                and all(_OWNER_WORD.match(w) for w in window)
                and host_key in sitenames.spellings(_key(name))
            ):
                return [(name, clean(text or "") or name)]
    return []


_SHOWN_CHECKS = 4  # names looked for
_SHOWN_HITS = 20  # places of one spelling looked at: the first ones outside markup decide
_LOOK_BACK = 3000  # characters looked back from each place for the tag it is in
# A text node holding a word in one of four spellings, outside what the reader never sees.
_SHOWN_WORD = lxml.etree.XPath(
    "boolean(/html/body//text()"
    "[contains(., $a) or contains(., $b) or contains(., $c) or contains(., $d)]"
    "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)])"
)


def _shown(doc: Document, people: list[dict[str, Any]]) -> bool:
    """Whether the page shows one of the names (its last word, in any case) to the reader:
    written in the page's text, not only in a tag's attributes or in a script.

    A string search over the page's source answers most pages (the byline near the top);
    the walk over the text nodes, five times dearer, confirms a name not found so.
    """
    words = {a["name"].split()[-1] for a in people[:_SHOWN_CHECKS] if a["name"].split()}
    variants = [(w, w.upper(), w.capitalize(), w.lower()) for w in words]
    hidden = _RawTextSpans(doc.html)
    # The name as written first: each spelling absent from the page costs a whole scan.
    if any(_in_text(doc.html, v, hidden) for four in variants for v in dict.fromkeys(four) if v):
        return True
    return any(_SHOWN_WORD(doc.root, a=a, b=b, c=c, d=d) for a, b, c, d in variants)


_BODY_TAG = re.compile(r"<body\b", re.IGNORECASE)
_RAW_TEXT_TAG = re.compile(r"<(/?)(?:script|style|noscript|template)\b", re.IGNORECASE)
_CLOSING_RAW_TEXT_TAG = re.compile(r"</(?:script|style|noscript|template)\b", re.IGNORECASE)


# Characters before a place looked at first for the last script or style tag before it;
# a tag's text reaches at most ``_TAG_REACH`` past its start.
_TAG_WINDOW = 4096
_TAG_REACH = 16


class _RawTextSpans:
    """Where the page's head, scripts and styles are, whose text the reader never sees
    (the head's title is the page's, not a byline).

    Whether a place is inside a script depends only on the last script or style tag
    before it: an opening one opens (or keeps open) a span, a closing one closes any.
    That tag is mostly within a few kilobytes; beyond them one forward scan of the page,
    shared by all questions, finds it (so a page of few tags costs one pass, not one per
    question).
    """

    def __init__(self, html: str) -> None:
        body = _BODY_TAG.search(html)
        self._html = html
        self._head_end = body.start() if body else 0
        self._floor = body.end() if body else 0
        self._tags = _RAW_TEXT_TAG.finditer(html, self._floor)
        self._scanned: list[re.Match[str]] = []  # the forward scan's tags so far
        self._starts: list[int] = []
        self._next: re.Match[str] | None = next(self._tags, None)

    def _last_tag(self, at: int) -> re.Match[str] | None:
        """The last script or style tag starting before ``at`` after the body tag."""
        low = max(self._floor, at - _TAG_WINDOW)
        last = None
        for match in _RAW_TEXT_TAG.finditer(self._html, low, at + _TAG_REACH):
            if match.start() >= at:
                break
            last = match
        if last is not None or low <= self._floor:
            return last
        while self._next is not None and self._next.start() < at:
            self._scanned.append(self._next)
            self._starts.append(self._next.start())
            self._next = next(self._tags, None)
        before = bisect.bisect_left(self._starts, at) - 1
        return self._scanned[before] if before >= 0 else None

    def shown_from(self, at: int) -> int:
        """``at`` when the text there may be shown; else where the head, script or style
        holding it ends (the page's end for a script left open), the next place to look."""
        if at < self._head_end:
            return self._head_end
        last = self._last_tag(at)
        if last is None:
            return at
        if last.group(1):  # after a closing tag (or in its name)
            return max(at, last.end())
        closing = _CLOSING_RAW_TEXT_TAG.search(self._html, at)
        return closing.end() if closing else len(self._html)


def _in_text(html: str, word: str, hidden: _RawTextSpans) -> bool:
    """Whether ``word`` occurs in ``html`` as text: outside scripts and styles and after
    the end of the tag before it (a tag starting too far back: left to the text walk).
    The first ``_SHOWN_HITS`` places outside the head, scripts and styles decide."""
    start = 0
    for _ in range(_SHOWN_HITS):
        at = html.find(word, start)
        if at < 0:
            return False
        start = hidden.shown_from(at)
        if start > at:
            continue  # in the head, a script or a style: look on after it
        start = at + len(word)
        opening = html.rfind("<", max(0, at - _LOOK_BACK), at)
        if opening >= 0 and html.find(">", opening, at) >= 0:
            return True
    return False


def _shown_byline(
    doc: Document, container: HtmlElement | None, site_keys: set[str]
) -> list[dict[str, Any]]:
    """The people the page's visible byline names: they outweigh a structured author the
    page never shows (the CMS account that posted another's text)."""
    found = _dom_authors(doc, container, site_keys) or _labelled_byline(doc, container, site_keys)
    return [a for a in _people(found, site_keys) if not _first_name_only(a["name"])]


_DOMAIN = re.compile(r"(?<![\w.-])(?:www\.)?((?:[\w-]+\.)+[a-z]{2,6})(?![\w.-])", re.IGNORECASE)


# An agency's story opens with its dateline: "Hamburg (dpa/lno) – ...", "PARIS (AFP) - ...".
_DATELINE_CREDIT = re.compile(r"^[^\W\d][\w .'/-]{1,40}?\s\((?P<credit>[^()\s]{2,24})\)\s*[-–—]\s")
_DATELINE_PARAGRAPHS = 3


def _dateline_agency(container: HtmlElement | None) -> list[dict[str, Any]]:
    """Last resort: the agency the body's opening dateline credits (its code as written:
    "dpa/lno"), when the page names nobody. A picture's caption may come first."""
    if container is None:
        return []
    for paragraph in itertools.islice(container.iter("p"), _DATELINE_PARAGRAPHS):
        opening = " ".join(" ".join(itertools.islice(paragraph.itertext(), 4)).split())
        match = _DATELINE_CREDIT.match(opening)
        if match:
            credit = match.group("credit")
            agency = credit.replace("-", "/").split("/")[0].casefold()
            if agency in AGENCIES:
                return [{"name": credit, "name_raw": credit, "url": None}]
            return []
    return []


# ... or closes it with its credit in parentheses: "(dpa)", "(FR mit dpa)", "(AFP/lno)".
_CLOSING_CREDIT = re.compile(
    r"\((?:(?P<site>[^()]{1,30}?)\s+(?:mit|und|with|and|avec|con|/)\s+)?(?P<agency>[^()\s/]{2,20})"
    r"(?:/[^()\s]{1,6})?\)$",
    re.IGNORECASE,
)
_CLOSING_PARAGRAPHS = 3
_CLOSING_CHARS = 60


def _closing_credit(container: HtmlElement | None, site_keys: set[str]) -> list[dict[str, Any]]:
    """The agency's credit closing the body's text in parentheses, alone or with the
    newsroom's ("... hieß es. (FR mit dpa)"), as written: the site's credit, told apart."""
    if container is None:
        return []
    paragraphs = container.xpath(f"./descendant::p[position() > last() - {_CLOSING_PARAGRAPHS}]")
    for paragraph in reversed(paragraphs):
        tail = " ".join("".join(paragraph.itertext()).split())[-_CLOSING_CHARS:]
        match = _CLOSING_CREDIT.search(tail)
        if not match or match.group("agency").casefold() not in AGENCIES:
            continue
        site = match.group("site")
        if site and not _is_site_like(site.strip(), False, site_keys):
            continue
        credit = match.group()[1:-1]
        return [{"name": credit, "name_raw": credit, "url": None}]
    return []


_MAX_SITE_CREDIT_CHARS = 60
_MAX_SITE_CREDIT_CANDIDATES = 40  # as the byline search reads: nested author boxes are no list


def _marked_site_credit(doc: Document, site_keys: set[str]) -> list[dict[str, Any]]:
    """The site's name as the sole credit of the page's first byline or author markup
    ("Written by <a rel=author>Example Times</a>", ``<p class=byline>By Example Times``):
    the page credits its newsroom, as an author meta tag naming the site does."""
    for el in itertools.islice(_byline_candidates(doc), _MAX_SITE_CREDIT_CANDIDATES):
        if el.get("itemprop") == "name" or _in_comments(el):
            continue
        text = " ".join((el.get("content") or _byline_text(el)).split())
        if not text or len(text) > _MAX_SITE_CREDIT_CHARS:
            continue
        names = split_names(text)
        if len(names) == 1 and _is_site_like(names[0], False, site_keys):
            if _other_domain(text, site_keys) or _LEGAL_FORM.search(names[0]):
                return []  # a web agency, or the company's copyright link ("Example Inc.")
            return [{"name": names[0], "name_raw": text, "url": doc.absolute(el.get("href"))}]
        return []  # the first author markup names someone else, or no one
    return []


def _other_domain(raw: str, site_keys: set[str]) -> bool:
    """A credit naming another site than this one ("Example GmbH www.example-agency.de"):
    the web agency's, not the page's author nor its publisher."""
    domains = _DOMAIN.findall(_EMAIL.sub("", raw))
    return any(_key(d) not in site_keys for d in domains)


def _first_name_only(name: str) -> bool:
    """One word of a cased script ("Nils"; a Korean or Chinese name is one word in full)."""
    return len(name.split()) == 1 and _has_case(name) and name.casefold() not in AGENCIES


def _completed(short: list[dict[str, Any]], later: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """First names ("Nils") completed by the full names a later source gives ("Nils Pickert");
    a name no later one completes stays as it was."""
    full = {a["name"].split()[0].casefold(): a for a in later if len(a["name"].split()) > 1}
    return [full.get(a["name"].casefold(), a) for a in short]


def _people(found: list[Found], site_keys: set[str]) -> list[dict[str, Any]]:
    """The found names that are people or agencies: not the site (nor a part of its name,
    "Jobs & Hire"), no company by its legal form, no domain; the newsroom's credit joined
    with an agency's is one credit."""
    joint = _joint_credits(found, site_keys)
    people = []
    for n, raw, url, is_org in found:
        if raw in joint:
            if joint[raw] is not None:  # once for both of its parts
                people.append({"name": joint[raw], "name_raw": raw, "url": url})
                joint[raw] = None
        elif (
            not _is_site_like(n, is_org or bool(_LEGAL_FORM.search(n)), site_keys)
            and _key(clean_name(raw) or raw) not in site_keys
            and not _DOMAINISH.search(_EMAIL.sub("", raw))
        ):
            people.append({"name": n, "name_raw": raw, "url": url})
    return [a for a in people if a["name"]]


def _joint_credits(found: list[Found], site_keys: set[str]) -> dict[str, str | None]:
    """Raw credits joining the site's own name and a news agency ("Le Figaro et AFP",
    "AFP/The Local"), each as written: the newsroom wrote with the agency's material, which
    neither name alone says (the site's name alone is no author, the agency not the sole
    one)."""
    parts: dict[str, list[str]] = {}
    for n, raw, _, _ in found:
        parts.setdefault(raw, []).append(n)
    joint: dict[str, str | None] = {}
    for raw, names in parts.items():
        if (
            len(names) == 2
            and sum(n.casefold() in AGENCIES for n in names) == 1
            and sum(_is_site_like(n, False, site_keys) for n in names) == 1
        ):
            joint[raw] = clean_name(raw) or ""
    return joint
