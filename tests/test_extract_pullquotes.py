"""Pull quotes set apart in <figure><blockquote> with their attribution, through extract()."""

from __future__ import annotations

from newsarchive import extract
from newsarchive.extraction import pullquotes
from newsarchive.extraction.document import load_document
from newsarchive.extraction.pullquotes import attributed_quotes, speaker_of

URL = "https://news.example.org/2024/05/03/harbour.html"
STORY = "".join(
    f"<p>Paragraph {i} of the story tells what the council decided about the harbour "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(6)
)
QUOTE = "We will rebuild the harbour before the winter storms come back"


def article(*blocks: str) -> str:
    return (
        "<html><head><title>Harbour</title></head><body><article><h1>Harbour plan</h1>"
        f"{STORY}{''.join(blocks)}{STORY.replace('Paragraph', 'Part')}</article></body></html>"
    )


def quotes_of(html: str) -> list[dict]:
    return extract(html, URL)["quotes"]


def test_a_figure_quote_takes_its_speaker_from_the_figcaption_not_as_a_caption() -> None:
    record = extract(
        article(
            f"<figure><blockquote><p>{QUOTE}.</p></blockquote>"
            "<figcaption>Jane Roe, mayor of Springfield</figcaption></figure>"
        ),
        URL,
    )
    assert {"text": f"{QUOTE}.", "speaker": "Jane Roe"} in record["quotes"]
    assert record["captions"] == []
    assert QUOTE not in (record["article_body"] or "")


def test_a_figcaption_just_after_the_figure_and_a_name_after_the_marks() -> None:
    after = (
        f"<figure><blockquote><p>{QUOTE}</p></blockquote></figure>"
        "<figcaption><div>Jane Roe</div></figcaption>"
    )
    inline = "<figure><blockquote>“The ferries will run again in May.” <br>Tom Miller, engineer</blockquote></figure>"  # noqa: E501
    found = quotes_of(article(after, inline))
    assert {"text": QUOTE, "speaker": "Jane Roe"} in found
    assert {"text": "The ferries will run again in May.", "speaker": "Tom Miller"} in found


def test_a_pull_quote_repeating_a_quote_of_the_text_names_its_speaker_once() -> None:
    said = f"<p>At the meeting the mayor spoke. “{QUOTE}, and we will do it together”.</p>"
    figure = f"<figure><blockquote>{QUOTE}</blockquote><figcaption>— Jane Roe</figcaption></figure>"
    found = [q for q in quotes_of(article(said, figure)) if QUOTE in q["text"]]
    assert found == [{"text": f"{QUOTE}, and we will do it together", "speaker": "Jane Roe"}]


def test_a_figure_with_an_image_is_no_pull_quote() -> None:
    doc = load_document(
        article(
            "<figure><img src='/p.jpg'><blockquote>Not a quote</blockquote>"
            "<figcaption>The harbour at dawn. Foto: Jane Roe</figcaption></figure>"
        ),
        URL,
    )
    assert attributed_quotes(doc.root) == []


def test_speaker_of_reads_the_name_an_attribution_opens_with() -> None:
    assert speaker_of("Wladimir Putin, Präsident von Russland") == "Wladimir Putin"
    assert speaker_of("— Jane Roe (mayor)") == "Jane Roe"
    assert speaker_of("said the mayor of the small town by the sea last week") is None
    assert speaker_of(None) is None


def test_nested_quote_figures_cost_bounded_work(count_calls) -> None:
    depth = 3000
    html = article(
        "<figure><blockquote>Deep quote here.</blockquote>" * depth + "</figure>" * depth
    )
    calls = count_calls(pullquotes, "_quote_and_attribution")
    doc = load_document(html, URL)
    assert len(attributed_quotes(doc.root)) <= pullquotes.MAX_PULL_QUOTES
    assert len(calls) <= pullquotes.MAX_FIGURES


def test_the_speaker_is_the_first_line_of_a_figcaption_of_several() -> None:
    figure = (
        f"<figure><blockquote>{QUOTE}</blockquote><figcaption><span>—</span>"
        "<div>Murat Yakin</div><div>Swiss coach</div></figcaption></figure>"
    )
    assert {"text": QUOTE, "speaker": "Murat Yakin"} in quotes_of(article(figure))
