"""Photo credits: split a credit out of caption text, and a credit string into its parts.

Publishers write credits in many conventions: "Foto: dpa", "(Photo by X/Getty
Images)", "© AP Photo / X", "… — Picture by X", "[사진 출처 = 연합뉴스]",
"…（Ｃ）共同通信社", "…＝ＡＰ", "… - Getty Images", "(foto ANSA)", "צילום: X",
"Ảnh: X", a trailing "Agency/Photographer" after the last sentence, or a labelled credit
opening the caption ("Archivfoto: X - The caption"). The patterns below are tried in
order. Labels ("Foto:", "Bild:",
"Photo by", "Photograph:", "©", "Copyright") are not part of the credit: the
credit is who made or owns the picture, so researchers can group by it.
"""

from __future__ import annotations

import re

from newsarchive.extraction.text import clean

# Words naming a picture or its making ("Foto", "Grafik", "Kamera"): a label of these leads
# whoever made the picture, in a caption's credit and in a byline alike ("Foto: Jane Roe"
# there is the photographer, not the author).
PICTURE_WORDS = (
    r"(?:images?|photos?|pictures?|fotos?)\s+credits?", r"crédits?\s+photos?", "photos?",
    "photograph(?:s|y)?", "fotos?", "fotograf[ií]as?", "fotografie", "bild", "bilder",
    "bildrechte", "bildquelle", "beeld", "fotograf", "images?", "imagen(?:es)?", "imagem",
    "immagin[ei]", "illustrations?", "video", "kamera", "camera",
    r"cr[ée]ditos?\s+(?:da|de\s+la|de|do)\s+(?:foto|imagem|imagen|fotografía)",
    "zdjęci[ea]", "фото", "fotoğraf", "fotó", "kuvat?", "φωτογραφία", "φωτο", "pictures?",
    "pics?", "bildnachweis",
    # Graphics are credited like photos: "Grafik: dpa", "Infographic: Jane Roe".
    "(?:info)?gra(?:ph|f)i(?:cs?|ken|k|que)", "infografía",
    # Bulgarian photo, Vietnamese photo
    "снимка", "ảnh",
    # Arabic photographed by / the photo, Persian photo, Hebrew photo, Hindi photo, Thai
    "تصوير", "الصورة", "صورة", "عکس", "צילום", "फ़ोटो", "फोटो", "चित्र", "ภาพ",
    # Chinese and Japanese: photo, picture (source), photographer
    "照片", "图片来源", "圖片來源", "图片", "圖片", "摄影", "攝影", "写真",
)  # fmt: skip
# Words labelling a credit of any kind: a picture's words, and its source or rights holder.
_LABEL_WORDS = "|".join((
    *PICTURE_WORDS, "bron", "credits?", "quelle", "source", "fonte", "fuente", "crédits?",
    "crédito", "źródło", "источник", "copyright", "urheber",
    # Czech/Slovak source, Romanian (photo) source
    "zdroj", r"sursa(?:\s+foto)?",
))  # fmt: skip
_COLON = "[:：]"  # CJK captions use the full-width colon
# A label naming a picture's maker, closing a label's text ("Foto: ", "Text und Bild: ").
PICTURE_LABEL = re.compile(rf"(?:^|\s)(?:{'|'.join(PICTURE_WORDS)})\s*{_COLON}\s*$", re.I)
_UPPER = "A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω"  # capitals opening a name (Latin, Cyrillic, Greek)
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+"
_NAME = rf"{_CAPITALISED}(?:\s+{_CAPITALISED}){{1,3}}"
# Agencies and stock libraries whose name alone is a credit, and the words that stand for a
# picture's source without naming one ("Supplied", "Handout").
_AGENCY_WORDS = (
    "Supplied|Handout|Getty Images|AFP|Reuters|AP|dpa|EPA|Shutterstock|iStock|Keystone|ANP"
    "|Belga|PA|Xinhua|Imago"
)
# Words for a picture the subject supplied, standing alone after the last sentence:
# "Courtesy photo", Spanish "Cedida" (handed over), Portuguese "Divulgação" (publicity).
_SUPPLIED_WORDS = "Courtesy photo|Courtesy|(?:Foto |Imagen )?[Cc]edida|Divulgação|Handout photo"
# Agencies in their own scripts: Reuters, Kyodo, Jiji (Japanese); Xinhua, CNS (Chinese);
# Yonhap, News1 (Korean); Reuters, AFP, AP, Anadolu (Arabic); TASS, RIA (Russian).
_NATIVE_AGENCIES = (
    "ロイター|共同|時事|AFP時事|新華社|新华社|中新社|中新网|연합뉴스|뉴스1|رويترز|أ ف ب|أ\\.ف\\.ب"
    "|فرانس برس|أسوشيتد برس|الأناضول|ТАСС|РИА Новости"
)
_AGENCY_NAMES = (
    rf"(?:{_AGENCY_WORDS}|Getty|EFE|PA Wire|PA Images|PA Media|Alamy|Bloomberg|ANSA|Anadolu"
    r"|picture alliance)"
)


def _agency_line(other: str) -> str:
    """An agency, maybe after a photographer or source and through a distributor; ``other``
    is the character class of the words around it."""
    return (
        rf"(?:{other}{{1,60}}?\s+v[ií]a\s+|(?:{other}{{1,40}}/\s*){{1,3}})?"
        rf"{_AGENCY_NAMES}(?:\s*/\s*{other}{{1,40}}){{0,3}}"
    )


# A line that is a credit by itself: an agency, maybe through a distributor or after a
# photographer ("AFP via Getty Images", "Jane Roe/Reuters", "UK Parliament/AFP/Getty").
AGENCY_CREDIT = re.compile(_agency_line(r"[^/\n]"), re.IGNORECASE)
_BRACKETED_AGENCY = _agency_line(r"[^()[\]/]")
_DASHED_AGENCY = _agency_line(r"[^/\n—–]")
_PHOTO_WORD = r"(?:photos?|fotos?|bild|foto\s+di|photo\s+de)"
# Credit phrases inside caption text; group "credit" is the credit, the rest is the caption.
CREDIT_PHRASES = (
    re.compile(
        r"[\(\[]\s*(?:symbol|archiv|titel)?(?:photos?|images?|fotos?|bild|pictures?)\s*"
        r"(?:by|von|de|:|courtesy(?:\s+of)?)"
        r"\s*(?P<credit>[^()\[\]]+?)\s*[\)\]]\s*$",
        re.IGNORECASE,
    ),
    # "(AP Photo/Jane M. Roe)": an agency's photo and its photographer, in brackets.
    re.compile(
        r"[\(\[]\s*(?P<credit>[^()\[\]/]{1,40}?\s(?:photos?|fotos?)\s*/\s*[^()\[\]]{1,80}?)"
        r"\s*[\)\]]\s*$",
        re.IGNORECASE,
    ),
    # "Photo by Jane Roe on Unsplash" as the whole caption, or after its last sentence.
    re.compile(
        r"(?:^|(?<=[.!?])\s+)(?:(?:photos?|photographs?|pictures?|images?)\s+(?:by|courtesy"
        r"(?:\s+of)?)|courtesy\s+of)\s+(?P<credit>\S.*)$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:^|(?<=[。！？、])|[\s|/(\[（【])(?:symbol|archiv|titel)?"
        rf"(?:{_LABEL_WORDS}|isithombe|foto\s?credit)\s*{_COLON}"
        r"\s*(?P<credit>.+?)[\)\]）】]?\s*$",
        re.IGNORECASE,
    ),
    # "(Jane Roe/Reuters)": photographer and agency in brackets, both capitalised.
    re.compile(
        rf"[\(\[]\s*(?P<credit>[{_UPPER}][^()\[\]/]{{0,60}}?\s*/\s*[{_UPPER}][^()\[\]]{{0,60}}?)"
        r"\s*[\)\]]\s*$"
    ),
    # "Juan Pérez (EFE)": a photographer and the agency in brackets after the caption.
    re.compile(rf"(?<=[.!?])\s+(?P<credit>{_NAME}\s*[\(\[]{_AGENCY_NAMES}[\)\]])\s*$"),
    # "(Ministry of Defence via AP)", "(user123/iStock)", "(foto ANSA)": an agency line in
    # brackets, maybe behind a photo word without a colon.
    re.compile(
        rf"[\(\[]\s*(?:{_PHOTO_WORD}\s+)?(?P<credit>{_BRACKETED_AGENCY})\s*[\)\]]\s*$",
        re.IGNORECASE,
    ),
    # Korean "사진=연합뉴스" (photo = agency) closing the caption.
    re.compile(r"(?:^|(?<=[\s.]))사진\s*=\s*(?P<credit>\S.*)$"),
    # Polish "Fot. PAP/Jan Kowalski": the abbreviation labels the credit.
    re.compile(r"(?:^|(?<=[\s(\[]))fot\.\s*(?P<credit>\S.*?)[\)\]]?$", re.IGNORECASE),
    re.compile(r"©\s*(?P<credit>.+?)\s*$"),
    re.compile(r"(?:^|\s)\((?P<credit>AP|AFP|dpa|Reuters|EPA|Getty Images)\)\s*$"),
    # An agency named in its own script, in brackets closing the caption: "（ロイター）",
    # "（新华社）", "(رويترز)", "(ТАСС)".
    re.compile(rf"[（(]\s*(?P<credit>{_NATIVE_AGENCIES})\s*[）)]\s*$"),
    # "… — Picture by Jane Roe" without brackets.
    re.compile(
        r"\s[—–-]\s*(?:pictures?|photos?|fotos?|images?)\s+(?:by|von|de)\s+(?P<credit>.+)$", re.I
    ),
    # "… - Getty Images", "… – foto Ansa": an agency line after a dash closing the caption.
    re.compile(
        rf"\s[—–-]\s+(?:{_PHOTO_WORD}\s+)?(?P<credit>{_DASHED_AGENCY})\s*$",
        re.IGNORECASE,
    ),
    # "[사진 출처 = Agency]", "[Photo = Agency]": a bracketed "label = credit" at the end.
    re.compile(r"\[\s*[^\]=]{1,12}=\s*(?P<credit>[^\]]+?)\s*\]\s*$"),
    # Japanese "（Name撮影）", Chinese "（新华社记者Name摄）": photographed by Name.
    re.compile(r"[（(](?P<credit>[^（）()]{1,30}?)(?:撮影|[摄攝](?:影)?)[）)]\s*$"),
    # "(C) Agency" after the caption, in ASCII or full width.
    re.compile(r"[（(][CcＣｃ©][）)]\s*(?P<credit>[^（）()]{1,60})$"),
    # Japanese papers: "…＝ＡＰ", "…＝ロイター".
    re.compile(r"＝(?P<credit>[Ａ-Ｚａ-ｚA-Za-z/／・ ]{1,20}|共同|ロイター|時事|AFP時事)$"),
    # Korean papers: "… 어선들. /연합뉴스", a source after a slash closing the caption.
    re.compile(r"(?<=[.!?])\s+/\s?(?P<credit>[^\s/][^/]{0,40})$"),
    # "... a sentence. Foto ANP", "Photo AFP": a photo word and an agency, no colon.
    re.compile(rf"(?<=[.!?])\s+{_PHOTO_WORD}\s+(?P<credit>{_AGENCY_NAMES}|ANP|ANSA)\s*$", re.I),
    # "... a sentence. Supplied" / ". AFP": a bare agency word after the last sentence.
    re.compile(rf"(?<=[.!?])\s+(?P<credit>{_AGENCY_WORDS}|{_SUPPLIED_WORDS})\s*$"),
    # "... a sentence. Agency/Photographer" : a trailing agency path after the last sentence.
    re.compile(r"(?<=[.!?])\s+(?P<credit>[^\s./][^.]{0,60}/[^.]{1,60})$"),
    # "... a sentence. (Jane Roe)" and "... the caption / Jane Roe": a name of two to four
    # capitalised words set off after the caption ("(Archivbild)", one word, is a note).
    re.compile(rf"(?<=[.!?])\s+\((?P<credit>{_NAME})\)$"),
    re.compile(rf"(?<=\S)\s+/\s+(?P<credit>{_NAME})$"),
)
MAX_CREDIT_CHARS = 150
# Labels in front of a credit that are not part of it ("Foto: dpa" -> "dpa").
CREDIT_LABEL = re.compile(
    r"^\s*(?:©|\([cC]\)(?=\s)|copyright\b\s*:?|fot\.|courtesy\s+of\b"
    r"|(?:photos?|fotos?|pics?|bild)\s*/(?=\s*\w)|(?:symbol|titel|archiv)?"
    rf"(?:{_LABEL_WORDS}|pictures?|photography|photographer)\s*"
    rf"(?:by\b|von\b|courtesy(?:\s+of)?\b|{_COLON}))\s*{_COLON}?\s*",
    re.IGNORECASE,
)
# A credit label closing a caption with nothing after it: its credit sat in an element of
# its own ("… gefunden. Foto: <span class=credit>dpa</span>") or was left out.
TRAILING_LABEL = re.compile(
    rf"(?:^|(?<=[\s(\[|/]))(?:(?:symbol|titel|archiv)?(?:{_LABEL_WORDS})\s*{_COLON}|©)\s*$",
    re.IGNORECASE,
)
# An address or a file name where a CMS template put the image's path in a credit
# attribute ("/media/123/thumbnails/harbour.jpg"): not who made the picture.
_FILE_PATH = re.compile(
    r"(?:https?:)?/\S*|\S+\.(?:jpe?g|png|gif|webp|avif|svg|tiff?)(?:[?#.]\S*)?", re.IGNORECASE
)
_BARE_LABELS = frozenset({"©", "copyright", "photo", "foto", "bild", "image", "credit", "source"})
CREDIT_SEPARATOR = re.compile(r"\s*[|;]\s*")
# Only a date, a time or a duration ("26.10.2025", "2:43 min"): a video teaser's
# metadata sitting where a credit or caption would, neither of them.
DATE_OR_DURATION = re.compile(
    r"\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?|\d{1,2}:\d{2}(?::\d{2})?\s*(?:min\.?|mins?|sec|s|h|uhr)?",
    re.IGNORECASE,
)


_PAIRS = {"(": ")", "[": "]"}
_OPENING = {closing: opening for opening, closing in _PAIRS.items()}
MAX_LAYERS = 4  # brackets or labels wrapped around one credit: "(Foto: © dpa)" has three


def _strip_brackets(text: str) -> str:
    """``text`` without spaces, trailing punctuation, a bracket pair around all of it, or an
    unmatched bracket at either end; "Jane Roe (CC BY 4.0)" keeps its own pair."""
    for _ in range(MAX_LAYERS):  # bounded: hostile input gets linear time
        text = text.strip(" .;,")
        first, last = text[:1], text[-1:]
        if first in _PAIRS and last == _PAIRS[first] and _balanced(text[1:-1]):
            text = text[1:-1]
        elif first in _PAIRS and text.count(first) > text.count(_PAIRS[first]):
            text = text[1:]
        elif last in _OPENING and not _balanced(text):
            text = text[:-1]
        else:
            break
    return text


def _balanced(text: str) -> bool:
    """Every closing bracket in ``text`` closes an opening one before it."""
    depth = {opening: 0 for opening in _PAIRS}
    for char in text:
        if char in _PAIRS:
            depth[char] += 1
        elif char in _OPENING:
            depth[_OPENING[char]] -= 1
            if depth[_OPENING[char]] < 0:
                return False
    return not any(depth.values())


# A second labelled credit after the first one's sentence: "Jane Roe. Illustration: X".
_NEXT_LABELLED = re.compile(rf"(?<=[^\s.]{{2}})\.\s+(?=(?:{_LABEL_WORDS})\s*{_COLON})", re.I)


def credit_parts(credit: str | None) -> list[str]:
    """A credit string as its parts, labels dropped: "Foto: © dpa | J. K." -> ["dpa", "J. K."]."""
    parts = []
    credit = _NEXT_LABELLED.sub(" | ", credit or "")
    for part in CREDIT_SEPARATOR.split(credit):
        for _ in range(MAX_LAYERS):  # "(Foto: © dpa)" carries brackets and two labels
            previous, part = part, CREDIT_LABEL.sub("", _strip_brackets(part), count=1)
            if part == previous:
                break
        part = clean(_strip_brackets(part)) or ""
        if (
            part
            and part.lower() not in _BARE_LABELS
            and not DATE_OR_DURATION.fullmatch(part)
            and not _FILE_PATH.fullmatch(part)
        ):
            parts.append(part)
    return parts


# A labelled credit opening the caption, set off by a dash: "Foto: dpa - Der Bürgermeister
# ...", "Archivfoto: Jane Roe – The quay ..." (after a bar come more credits: "Foto: X |
# Lizenz: CC BY").
LEADING_CREDIT = re.compile(
    rf"^(?:symbol|archiv|titel)?(?:{_LABEL_WORDS})\s*{_COLON}\s*(?P<credit>[^|–—:]{{1,60}}?)\s+[-–—]\s+(?P<caption>\S.*)$",
    re.IGNORECASE,
)


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """(caption, credit) from one caption string with an inline credit phrase."""
    text = clean(text)
    if not text:
        return None, None
    leading = LEADING_CREDIT.match(text)
    if leading:
        return clean(leading.group("caption")) or None, clean(leading.group("credit"))
    for pattern in CREDIT_PHRASES:
        found = pattern.search(text)
        if found and len(found.group("credit")) <= MAX_CREDIT_CHARS:
            credit = clean(found.group("credit").strip(" .;|"))
            caption = clean(text[: found.start()].rstrip(" ;|/-–—(©")) or None  # "© Foto: X"
            return caption, credit
    return text, None
