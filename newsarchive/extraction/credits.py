"""Photo credits: split a credit out of caption text, and a credit string into its parts.

Publishers write credits in many conventions: "Foto: dpa", "(Photo by X/Getty
Images)", "© AP Photo / X", "… — Picture by X", "[사진 출처 = 연합뉴스]",
"…（Ｃ）共同通信社", "…＝ＡＰ", or a trailing "Agency/Photographer" after the last
sentence. The patterns below are tried in order; labels ("Foto:", "Bild:",
"Photo by") are not part of the credit, "©" is.
"""

from __future__ import annotations

import re

from newsarchive.extraction.text import clean

# Credit phrases inside caption text; group "credit" is the credit, the rest is the caption.
CREDIT_PHRASES = (
    re.compile(
        r"[\(\[]\s*(?:photos?|images?|fotos?|bild|pictures?)\s*(?:by|von|de|:)\s*(?P<credit>[^()\[\]]+?)"
        r"\s*[\)\]]\s*$",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:^|[\s|/(\[])(?:photos?|fotos?|bild|bilder|bildrechte|bildquelle|bron|fotograf"
        r"|isithombe|images?|credits?|quelle|source|fonte"
        r"|fuente|crédits?|crédito|foto\s?credit|zdjęcie|фото|источник)\s*:\s*(?P<credit>.+?)"
        r"[\)\]]?\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"(?P<credit>©\s*.+?)\s*$"),
    re.compile(r"(?:^|\s)\((?P<credit>AP|AFP|dpa|Reuters|EPA|Getty Images)\)\s*$"),
    # "… — Picture by Jane Roe" without brackets.
    re.compile(
        r"\s[—–-]\s*(?:pictures?|photos?|fotos?|images?)\s+(?:by|von|de)\s+(?P<credit>.+)$", re.I
    ),
    # "[사진 출처 = Agency]", "[Photo = Agency]": a bracketed "label = credit" at the end.
    re.compile(r"\[\s*[^\]=]{1,12}=\s*(?P<credit>[^\]]+?)\s*\]\s*$"),
    # Japanese "（Name撮影）": photographed by Name.
    re.compile(r"[（(](?P<credit>[^（）()]{1,20})撮影[）)]\s*$"),
    # "(C) Agency" after the caption, in ASCII or full width.
    re.compile(r"[（(][CcＣｃ©][）)]\s*(?P<credit>[^（）()]{1,60})$"),
    # Japanese papers: "…＝ＡＰ", "…＝ロイター".
    re.compile(r"＝(?P<credit>[Ａ-Ｚａ-ｚA-Za-z/／・ ]{1,20}|共同|ロイター|時事|AFP時事)$"),
    # "... a sentence. Supplied" / ". AFP": a bare agency word after the last sentence.
    re.compile(
        r"(?<=[.!?])\s+(?P<credit>Supplied|Handout|Getty Images|AFP|Reuters|AP|dpa|EPA|Shutterstock"
        r"|iStock|Keystone|ANP|Belga|PA|Xinhua|Imago)\s*$"
    ),
    # "... a sentence. Agency/Photographer" : a trailing agency path after the last sentence.
    re.compile(r"(?<=[.!?])\s+(?P<credit>[^\s./][^.]{0,60}/[^.]{1,60})$"),
)
MAX_CREDIT_CHARS = 150
# Labels in front of a credit that are not part of it ("Foto: dpa" -> "dpa").
CREDIT_LABEL = re.compile(
    r"^\s*(?:copyright\b\s*:?|(?:symbol|titel|archiv)?(?:photos?|fotos?|bild|bilder|images?"
    r"|pictures?|credits?|quelle|bildquelle|bildrechte|source|fonte|fuente|crédits?|crédito|bron"
    r"|fotograf|photographer|zdjęcie|фото|источник)\s*(?:by\b|von\b|:))\s*:?\s*",
    re.IGNORECASE,
)
_BARE_LABELS = frozenset({"©", "copyright", "photo", "foto", "bild", "image", "credit", "source"})
CREDIT_SEPARATOR = re.compile(r"\s+\|\s+|\s*\|\s*")


def credit_parts(credit: str | None) -> list[str]:
    """A credit string as its parts, labels dropped: "© dpa | Jens K." -> ["dpa", "Jens K."]."""
    parts = []
    for part in CREDIT_SEPARATOR.split(credit or ""):
        part = part.strip(" ()[]")
        previous = None
        while part and part != previous:  # "Foto: © dpa" carries two labels
            previous, part = part, CREDIT_LABEL.sub("", part, count=1)
        part = clean(part.strip(" .;,()[]")) or ""
        if part and part.lower() not in _BARE_LABELS:
            parts.append(part)
    return parts


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """(caption, credit) from one caption string with an inline credit phrase."""
    text = clean(text)
    if not text:
        return None, None
    for pattern in CREDIT_PHRASES:
        found = pattern.search(text)
        if found and len(found.group("credit")) <= MAX_CREDIT_CHARS:
            credit = clean(found.group("credit").strip(" .;|"))
            caption = clean(text[: found.start()].rstrip(" ;|/-–—(")) or None
            return caption, credit
    return text, None
