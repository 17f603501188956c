"""Direct quotations and their speakers."""

from __future__ import annotations

from newsarchive.extraction.quotes import extract_quotes


def test_english_quotes_with_named_and_pronoun_speakers():
    quotes = extract_quotes(
        [
            "Mayor Jane Doe opened the bridge on Monday.",
            "“This bridge connects two halves of our city,” she said. “It took ten years.”",
            "“We will keep building for the next decade,” said Tom Miller, the city engineer.",
        ],
        "en",
    )
    assert quotes == [
        {"text": "This bridge connects two halves of our city", "speaker": "Jane Doe"},
        {"text": "It took ten years.", "speaker": "Jane Doe"},
        {"text": "We will keep building for the next decade", "speaker": "Tom Miller"},
    ]


def test_scare_quotes_are_skipped_and_german_marks_work():
    quotes = extract_quotes(
        [
            'Auf Plakaten wurde Deutschland als "Wertediktatur" bezeichnet, das Kalifat als "die Lösung".',  # noqa: E501
            "„Das ist schwer erträglich und nicht hinnehmbar“, sagte Nancy Faeser.",
        ],
        "de",
    )
    assert quotes == [
        {"text": "Das ist schwer erträglich und nicht hinnehmbar", "speaker": "Nancy Faeser"}
    ]


def test_quote_running_over_two_paragraphs_and_french_marks():
    quotes = extract_quotes(
        [
            "Le ministre a dit : « Nous allons reconstruire chaque maison détruite.",
            "« Et nous le ferons avant l'hiver, sans exception. »",
            "Selon Marie Curie, « la science est une aventure collective et patiente ».",
        ],
        "fr",
    )
    assert quotes[0]["text"] == (
        "Nous allons reconstruire chaque maison détruite. "
        "Et nous le ferons avant l'hiver, sans exception."
    )
    assert quotes[1] == {
        "text": "la science est une aventure collective et patiente",
        "speaker": "Marie Curie",
    }


def test_block_quotes_without_marks_are_quotes():
    block = "Freedom of the press is not a privilege but a necessity for democracy."
    quotes = extract_quotes(["Intro paragraph without quotes at all."], "en", [block])
    assert quotes == [{"text": block, "speaker": None}]


def test_empty_input():
    assert extract_quotes([], None) == []


def test_speakers_are_names_never_nearby_bystanders():
    quotes = extract_quotes(
        [
            "The guard handed a letter to Prime Minister Anna Berg and declared "
            "“we will not leave.”",
            "“Open the gates before the storm comes in,” he says.",
            "“We are staying here until spring arrives,” continued the anonymous guard.",
            "Officials met Karl Haddad, the harbour master, on Monday.",
            "“Every ship will be inspected twice this year,” Haddad said.",
        ],
        "en",
    )
    assert [q["speaker"] for q in quotes] == [None, None, None, "Karl Haddad"]


def test_lead_in_sentence_and_russian_pronoun():
    quotes = extract_quotes(
        [
            "Retired engineer Malcolm Reed, who led the work, said the team learned as it went. "
            "“None of us had ever touched a lens like this one.”",
            "Начальник порта Колин Рэй заявил, что акция проходит мирно. «Никто не хочет видеть "
            "полицию на воде», — сказал он.",
            "„Wir können die Kosten nicht länger allein tragen“, sagte Geschäftsführer Markus "
            "Keller. Die letzte Erhöhung liegt zwei Jahre zurück.",
        ],
        None,
    )
    assert [q["speaker"] for q in quotes] == ["Malcolm Reed", "Колин Рэй", "Markus Keller"]


def test_cjk_quotes_are_measured_in_characters():
    quotes = extract_quotes(
        ["首相は「国民の安全を最優先に対応する」と述べた。", "「改革」という言葉が繰り返された。"],
        "ja",
    )
    assert [q["text"] for q in quotes] == ["国民の安全を最優先に対応する"]


def test_lone_surname_resolves_to_a_name_written_many_paragraphs_earlier():
    filler = ["The council met again on a later day and talked about the budget at length."] * 60
    quotes = extract_quotes(
        ["Officials met Amira Haddad, the harbour master, on Monday.", *filler,
         "“Every ship will be inspected twice this year,” Haddad said."],
        "en",
    )  # fmt: skip
    assert [q["speaker"] for q in quotes] == ["Amira Haddad"]


def test_megabyte_paragraph_with_thousands_of_quotes_is_linear():
    """Each quote reads a bounded window: 450 kB in one paragraph took 31 s when every
    quote copied the text before it and searched all of it for names."""
    import time

    para = " ".join(
        f'Jane Doe met Mr Smith. "We will build bridge number {i} before the winter," Smith said.'
        for i in range(5000)
    )
    began = time.process_time()
    quotes = extract_quotes([para], "en")
    assert time.process_time() - began < 5.0
    assert len(quotes) == 5000
    assert quotes[-1] == {
        "text": "We will build bridge number 4999 before the winter",
        "speaker": "Mr Smith",
    }


def test_the_same_quote_twice_is_one_quote_with_the_speaker_the_text_names():
    quotes = extract_quotes(
        ["“We slaughter 45 pigs an hour.”", "“We slaughter 45 pigs an hour”, said Jane Roe."],
        "en",
    )
    assert quotes == [{"text": "We slaughter 45 pigs an hour.", "speaker": "Jane Roe"}]


def test_a_lone_surname_after_the_verb_is_the_full_name_written_first():
    quotes = extract_quotes(
        [
            "Alex Kirsch kam als Zweiter ins Ziel. Chef Kirsch lobte das Team.",
            "„Ich hätte mich über mehr Getränke gefreut“, so Kirsch, der vielen Fahrern aus "
            "der Seele spricht.",
            "Auch Andrij hat bei Bachmut gekämpft, auch im Winter.",
            "„Ich hoffe sehr, dass es sich gelohnt hat“, sagt Andrij über die Entscheidung.",
        ],
        "de",
    )
    assert quotes == [
        {"text": "Ich hätte mich über mehr Getränke gefreut", "speaker": "Alex Kirsch"},
        {"text": "Ich hoffe sehr, dass es sich gelohnt hat", "speaker": None},
    ]


def test_a_capitalised_word_after_the_verb_that_names_nobody_written_is_no_speaker():
    quotes = extract_quotes(
        [
            "Jane Roe runs the port.",
            "“We will double the number of ships,” the company said Tuesday.",
        ],
        "en",
    )
    assert quotes == [{"text": "We will double the number of ships", "speaker": None}]
