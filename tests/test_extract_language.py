"""The language of pages that declare none: read by a text classifier (py3langid), which
tells apart languages sharing a script. Sentences written for these tests."""

from __future__ import annotations

import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.language import guess_from_text

URL = "https://news.example.org/story"

TEXTS = {
    "uk": "Міська рада вирішила відремонтувати старий міст через річку наступного року. "
    "Мешканці району довго чекали на це рішення, бо взимку дорога часто була небезпечною.",
    "bg": "Общинският съвет реши да ремонтира стария мост над реката през следващата година. "
    "Жителите на квартала дълго чакаха това решение, защото през зимата пътят беше опасен.",
    "ru": "Городской совет решил отремонтировать старый мост через реку в следующем году. "
    "Жители района долго ждали этого решения, потому что зимой дорога была опасной.",
    "fa": "شورای شهر تصمیم گرفت پل قدیمی روی رودخانه را سال آینده تعمیر کند. "
    "ساکنان محله مدت‌ها منتظر این تصمیم بودند، چون در زمستان جاده اغلب خطرناک بود.",
    "ur": "شہر کی کونسل نے فیصلہ کیا ہے کہ دریا پر بنے پرانے پل کی مرمت اگلے سال کی جائے گی۔ "
    "محلے کے لوگ بہت عرصے سے اس فیصلے کا انتظار کر رہے تھے کیونکہ سردیوں میں سڑک خطرناک ہوتی تھی۔",
    "zh": "今天市议会决定明年修理河上的旧桥，居民们等了很久。",  # short: a character says much
    "ar": "قرر مجلس المدينة إصلاح الجسر القديم فوق النهر في العام المقبل. "
    "وكان سكان الحي ينتظرون هذا القرار منذ وقت طويل لأن الطريق كان خطيرا في الشتاء.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_languages_sharing_a_script_are_told_apart(lang: str) -> None:
    assert guess_from_text(TEXTS[lang]) == lang


@pytest.mark.parametrize("lang", ["uk", "fa"])
def test_a_page_without_a_declared_language_gets_the_texts(lang: str) -> None:
    html = f"<html><body><h1>Bridge</h1><p>{TEXTS[lang]}</p><p>{TEXTS[lang]}</p></body></html>"
    assert extract(html, URL)["in_language"] == lang
