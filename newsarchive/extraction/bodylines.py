"""Lines inside an article container that are not the article's text.

The container holds more than paragraphs: the headline again, "Read more" and
"Anzeige" labels, comment and "follow us" prompts, bylines ("Autor: …", "Par … ·
Publié le …"), datelines and update stamps ("Stand: 22.04.2024"), link lists, a
post's metadata line (it links the site's categories and tags). Each rule is a
table entry or a short regex over the line's text; a line longer than a rule's
limit is prose and stays.
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.extraction.segments import BLOCK_TAGS, Segment

MAX_LINK_DENSITY = 0.5  # above this a line is a link list or a teaser

# Short lines inside article containers that are chrome, in the languages we meet.
CHROME_LINE = re.compile(
    r"^(?:read more|read also|also read|related|see also|more on this|recommended|advertisement"
    r"|sponsored|share (?:this|on)|follow us|sign up|subscribe|newsletter|click here|watch:?"
    r"|lesen sie auch|lesen sie mehr|auch interessant|mehr zum thema|mehr dazu|anzeige|werbung"
    r"|zum thema|weiterlesen|teilen|folgen sie|abonnieren|à lire aussi|lire aussi|voir aussi"
    r"|publicité|partager|lee también|leer más|publicidad|leggi anche|pubblicità|lees ook"
    r"|advertentie|läs också|les også|читайте также|реклама|czytaj także|czytaj też|reklama"
    r"|©|copyright|photos?:|fotos?:|bild:|image:|credit:|quelle:|source:"
    r"|(?:titel|aufmacher|beitrags|header|vorschau|symbol)(?:bild|foto):|bild(?:quelle|nachweis):"
    r"|(?:foto|photo|image)\s*credits?:|(?:featured|header|cover)\s+(?:image|photo):"
    # A figure's numbered caption: "Abbildung 4:", "Abb. 2:", "Figure 3:", "Fig. 1:".
    r"|(?:abbildung|abb\.|figure|fig\.)\s*\d*\s*:"
    # A lightbox's button label opening its caption ("Vergrößern Eine kleine runde ...").
    r"|(?:bild\s+)?vergrößern(?!\s+sie\b)|enlarge(?:\s+this)?\s+image|agrandir\s+l.image"
    r"|ampliar\s+(?:la\s+)?imagen"
    # A table of contents' label, a separator line.
    r"|(?:table of contents|inhaltsverzeichnis|sommaire|índice|spis treści)\s*:?$|[_*=~–—-]{3,}$"
    # An agency signature ("aja/PAP", "(dpa)", "mm/dpa/AFP") or a source's domain alone.
    r"|\(?(?:[a-z]{1,4}\s?[/,;]\s?)*(?:dpa|afp|ap|apa|pap|reuters|kna|epd|sda|ddp|ansa|efe|sid)"
    r"(?:\s?[/,]\s?[a-z]{1,6})*\)?\.?$|[a-z0-9-]+\.(?:com|net|org|de|at|ch|fr|es|it|pl|co\.uk)$"
    # Toggles, links to the neighbouring posts, print buttons.
    r"|\w+ (?:ausblenden|einblenden)$|(?:show|hide) (?:more|less|sources|details)$"
    r"|(?:next|previous|prev) (?:article|post|story)$|(?:nächster|vorheriger) (?:artikel|beitrag)$"
    r"|vorschau auf den nächsten artikel|article (?:suivant|précédent)$"
    r"|(?:rezept |artikel )?drucken\b|print (?:recipe|this|article)\b"
    # Rating widgets and tag lines.
    r"|\(?(?:noch keine bewertungen|no ratings yet|aucune note|sin valoraciones)|rating:\s*\d"
    r"|(?:tags|tagged(?: with)?|schlagw(?:ö|o)rte?r?|stichw(?:ö|o)rter|étiquettes|etiquetas)\s*:)",
    re.IGNORECASE,
)
CHROME_LINE_MAX = 160  # longer lines that start like chrome are real paragraphs
# Prompts to the reader that templates put under an article: comment and log-in prompts,
# social "follow" prompts, tip-line calls, the reCAPTCHA notice of a form, newsletter
# and app prompts.
PROMPT_LINE = re.compile(
    r"^(?:to participate in the discussion|(?:log|sign) in to (?:comment|join)"
    r"|join the (?:conversation|discussion)|leave a comment|comments are closed"
    r"|zum kommentieren|um (?:zu )?kommentieren|pour (?:commenter|réagir)|para comentar"
    r"|follow (?:us|@\S+|\S+\.\S+) on (?:twitter|facebook|instagram|x|linkedin|tiktok|youtube"
    r"|whatsapp|telegram)\b|got a (?:story|tip)\b|this site is protected by recaptcha"
    # Subscription and app prompts.
    r"|never miss (?:a|the|our|any)\b|stay up[- ]to[- ]date\b|for the latest (?:news|stories)\b"
    r"|(?:sign up|subscribe) (?:for|to) (?:our|the)\b|download (?:our|the) (?:\S+ )?app\b"
    r"|if you (?:enjoyed|liked) (?:this|reading)\b|we want to hear what you think"
    r"|abonnez-vous\b|inscrivez-vous à (?:notre|la) newsletter"
    r"|suscríbete\b|hazte (?:miembro|socio)\b"
    # Paywall notes: what a subscriber would see, and the already-subscribed hint.
    r"|to (?:view|read|access|continue reading|keep reading) (?:the full|the rest of th(?:is|e)"
    r"|this|the entire) (?:story|article|post)\b|if you(?:'|’)re (?:already a (?:subscriber|member)"
    r"|seeing this message)|already a (?:subscriber|member)\?|(?:sie sind )?bereits abonnent"
    r"|jetzt (?:abonnieren|abonnent werden)\b|déjà abonné|¿?ya eres (?:suscriptor|socio|miembro)"
    r"|zapraszamy (?:też |również )?do (?:subskrypcji|prenumeraty)\b"
    r"|do you want to (?:be|stay) informed\b"
    r"|(?:sign|log) in or create (?:an )?account|(?:don.t|already) have an account"
    r"|jetzt weiterlesen\b|sie sind bereits kunde"
    r"|click to (?:read more|hide|show|expand|view|see)\b"
    r"|for more stories like this\b|get in touch with (?:our|the) (?:news|editorial) team"
    r"|get the latest (?:news|stories|updates)\b"
    # A single article's price: "Für 0.99 € können Sie diesen Artikel erwerben."
    r"|(?:für|for|pour|por)\s+[\d.,]+\s*(?:€|euros?|\$|£)\s+"
    r"(?:können sie|you can|vous pouvez|puede)\b)",
    re.IGNORECASE,
)
PROMPT_LINE_MAX = 300
# Short lines made of times, dates and separators: datelines, durations, update stamps.
DATELINE = re.compile(
    r"\d{1,2}[:.]\d{2}\b.*\||\|.*\d{1,2}[:.]\d{2}\b|^\d{1,2}:\d{2}\s*min"
    r"|^\d+\s*(?:mins?|minutes?|hours?|hrs?|days?)\s+ago|^vor\s+\d+\s+(?:minuten|stunden|tagen)"
    # A date and time alone ("12.12.2025, 05:07 Uhr"), a reading time ("Lesedauer: 4 Minuten").
    r"|^\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4},?\s*[-–|]?\s*\d{1,2}[:.]\d{2}\s*(?:uhr|h)?$"
    r"|(?:lesedauer|lesezeit|reading time|temps de lecture|tiempo de lectura|czas czytania)"
    r"\s*:?\s*\d"
    r"|\d+\s*(?:min\.?|minutes?|minuten)\s+(?:read|lesezeit|de lecture|de lectura)\b",
    re.IGNORECASE,
)
DATELINE_MAX = 80
# Every DATELINE alternative holds a digit (tests/test_extraction_patterns.py checks it):
# one character-class scan first, the regex (its alternatives tried at every position) only
# on the lines that hold one.
_DIGIT = re.compile(r"\d")
STAMP_LINE_MAX = 120
# Publication and update stamps: a label and a numeric date ("Stand: 22.04.2024, 06:00 Uhr",
# "Publié le 30/04/2024 - 16:00", "Updated: 2024-04-30").
STAMP_LINE = re.compile(
    r"^(?:stand|(?:zuletzt )?aktualisiert(?: am)?|(?:last )?updated(?: on)?|published(?: on)?"
    r"|(?:news |publication |release )?date|datum|fecha"
    r"|veröffentlicht(?: am)?|publiziert(?: am)?|erstellt(?: am)?|publié le|mis à jour le"
    r"|actualizado|publicado"
    r"|pubblicato|aggiornato)\b\s*:?\s*(?:am\s+|on\s+|le\s+|el\s+|il\s+)?"
    r"\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}"
    # A broadcaster's note of the programme that aired the story.
    r"|(?:sendung|sendedatum|ausstrahlung|dieses thema im programm)\s*:.{0,80}\d{4}",
    re.IGNORECASE,
)
# Bylines: "By Jane Roe", "Autor: Lukas B. · 27. Mai", "Par Claire Dubois · Publié le ...".
BYLINE = re.compile(
    r"^(?:by|von|par|por|door|av|di|przez|від|автор|autor|autorin|author|text|texte"
    r"|reporting by|written by|posted by|geschrieben von|verfasst von|veröffentlicht von)\b"
    r"\s*:?\s*(?:\S|$)",
    re.IGNORECASE,
)
BYLINE_MAX = 120
# The wire's staff line under a story: "Reporting by …; Writing by …; Editing by …".
STAFF_LINE = re.compile(
    r"^[–—-]?\s*(?:(?:with\s+)?(?:additional\s+)?reporting\s+(?:by|from)"
    r"|(?:writing|editing|edited|compiled|produced)\s+by)\b"
    r"|^mit\s+(?:agenturmaterial|material\s+(?:von|der)\b)",
    re.IGNORECASE,
)
STAFF_LINE_MAX = 400


def is_body_line(
    seg: Segment, headline: str | None, links: bool = True, tag_linked: bool = True
) -> bool:
    """False for lines of an article container that are not article text.

    ``links=False`` leaves the link density test out (for a caller that has judged it);
    ``tag_linked=False`` says the page holds no ``rel="tag"`` link (``Survey.tag_linked``),
    so no line's links need reading for one."""
    text = seg.text
    if seg.tag == "h1" or (headline and text == headline):
        return False
    if links and seg.link_density > MAX_LINK_DENSITY and not _contact_line(seg):
        return False
    if len(text) <= DATELINE_MAX and _DIGIT.search(text) and DATELINE.search(text):
        return False
    if len(text) <= STAMP_LINE_MAX and STAMP_LINE.match(text):
        return False
    if len(text) <= BYLINE_MAX and BYLINE.match(text) and _looks_like_byline(text):
        return False
    if len(text) <= PROMPT_LINE_MAX and PROMPT_LINE.match(text):
        return False
    if len(text) <= STAFF_LINE_MAX and STAFF_LINE.match(text):
        return False
    if len(text) <= CHROME_LINE_MAX and CHROME_LINE.match(text):
        return False
    if len(text) <= BAR_LINE_MAX and _link_bar(text):
        return False
    if len(text) <= CREDIT_TAIL_MAX and _credit_tail(text):
        return False
    if len(text) <= DISCLOSURE_MAX and _disclosure(text):
        return False
    return len(text) > TAXONOMY_LINE_MAX or not (tag_linked and _names_taxonomy(seg.owner))


# A line ending in a copyright credit ("... empfing nur 14 Kinder © VS Tristach"): an image's
# caption with its credit, or the credit alone ("Rubriklistenbild: © KCNA/dpa").
# So is a line ending in an image credit in brackets ("... Kinder (Foto: dpa)"), and a
# bracketed source line alone ("(Quelle: APA/dpa)").
CREDIT_TAIL = re.compile(
    r"©\s*[^.!?©]{2,60}$"
    r"|[(\[]\s*(?:fotos?|photos?|bild|image|imagen|credit|crédit|crédito)\s*:[^()\[\]]{2,60}[)\]]$"
    # ... and one ending in a credit after the caption's sentence ("... Tampere. Foto: X").
    r"|[.!?)]\s+(?:fotos?|photos?|bild|image|imagen|credit)\s*:\s*[^.!?:]{2,60}$"
    r"|^[(\[]\s*(?:quelle|source|fuente|fonte)\s*:[^()\[\]]{2,60}[)\]]$",
    re.IGNORECASE,
)
CREDIT_TAIL_MAX = 300
# Affiliate and advertiser disclosures ("... I may receive a small commission at no extra
# charge to you") and disclaimers, anywhere in a line: the site's notes, not the article.
DISCLOSURE = re.compile(
    r"(?:receive|earn) (?:a )?(?:small )?(?:compensation|commission)|affiliate[- ]links?"
    r"|advertiser disclosure|provisionslinks?|werbelinks?|eine kleine provision"
    # ... and the site's disclaimer for its contributors' opinions.
    r"|(?:views|opinions) expressed (?:in|on|here|by)|opinions exprimées|opiniones expresadas"
    r"|geäußerten meinungen|is not responsible for the (?:opinions|content|views)",
    re.IGNORECASE,
)
DISCLOSURE_MAX = 400
# Every DISCLOSURE match holds one of these: a substring test first, the regex (which
# searches the whole line) only on the few lines that hold one.
_DISCLOSURE_PARTS = (
    "compensation", "commission", "affiliate", "disclosure", "provision", "werbelink",
    "expressed", "exprimées", "expresadas", "geäußert", "responsible",
)  # fmt: skip


def _disclosure(text: str) -> bool:
    lower = text.lower()
    return any(part in lower for part in _DISCLOSURE_PARTS) and DISCLOSURE.search(text) is not None


def _credit_tail(text: str) -> bool:
    """CREDIT_TAIL after the characters each of its forms needs (a "©" or a colon)."""
    return ("©" in text or ":" in text) and CREDIT_TAIL.search(text) is not None


BAR_LINE_MAX = 200
BAR_MIN_ITEMS = 3
BAR_ITEM_WORDS = 5
_CODE_CHARS = re.compile(r"[{}\[\]();=<>/\\$]")


def _link_bar(text: str) -> bool:
    """A bar of short items between "|" ("Impressum | Datenschutz | Kontakt", "Comments feed
    | Comments closed | Trackback"): a menu or a post's metadata, never a sentence."""
    if _CODE_CHARS.search(text):
        return False  # shell pipes, Ruby blocks: code
    items = text.split("|")
    return len(items) >= BAR_MIN_ITEMS and all(
        0 < len(item.split()) <= BAR_ITEM_WORDS and not item.rstrip().endswith(".")
        for item in items
    )


TAXONOMY_LINE_MAX = 500  # "Filed under X, tagged Y by Z. Comments are closed." and the like


def _names_taxonomy(owner: Any) -> bool:
    """True when the line links the site's own categories or tags (``rel="tag"``,
    ``rel="category tag"``): a post's metadata line, in any language."""
    for link in owner.iter("a"):
        rel = link.get("rel")
        if rel and "tag" in rel.split() and _block_of(link) is owner:
            return True
    return False


_CONTACT_HREF = ("mailto:", "tel:")


CONTACT_LINE_MAX = 300
CONTACT_MAX_LINKS = 8
_SHOWN_ADDRESS = re.compile(r"@|\d(?:[\s/-]?\d){5}")


def _contact_line(seg: Segment) -> bool:
    """True when the line shows an e-mail address or phone number and every link of it
    is one (``mailto:``, ``tel:``): contact data to read, not a link to follow. An
    editor's initials linked to a mailbox ("(dmk)") show no address: a signature."""
    if len(seg.text) > CONTACT_LINE_MAX or not _SHOWN_ADDRESS.search(seg.text):
        return False
    found = 0
    for link in seg.owner.iter("a"):
        found += 1
        if found > CONTACT_MAX_LINKS:
            return False  # a list of links, not a contact line (and a bound on the work)
        if not (link.get("href") or "").strip().lower().startswith(_CONTACT_HREF):
            return False
    return found > 0


def _block_of(el: Any) -> Any:
    for anc in el.iterancestors():
        if anc.tag in BLOCK_TAGS:
            return anc
    return None


def _looks_like_byline(text: str) -> bool:
    """A short name line, or a name with a date/separator, not a sentence that starts "By"."""
    return (
        len(text.split()) <= 6 or any(ch.isdigit() for ch in text) or "·" in text or ("|" in text)
    )
