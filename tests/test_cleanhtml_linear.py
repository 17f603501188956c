"""The cleaned HTML of a hostile container stays linear in its size.

Every tag outside the cleaned HTML's small vocabulary is unwrapped and its text
joins the text slot before it. Adding each piece to that slot at once copied the
slot's whole text every time: 60,000 ``<span>`` words in one paragraph took about
25 s (quadratic), while this cleaned HTML takes well under a second on a busy
machine. The bound is on this process's CPU time (other load on the machine does not
count) and generous for that reason; the engine fails a page only after
``NEWSARCHIVE_EXTRACT_TIMEOUT`` (60 s).
"""

from __future__ import annotations

import time

import lxml.html

from newsarchive.extraction.cleanhtml import clean_html

SPANS = 60_000
BOUND = 8  # seconds; see the module docstring


def test_a_paragraph_of_many_unwrapped_spans_is_cleaned_in_linear_time() -> None:
    words = "".join(f"<span>w{i} </span>" for i in range(SPANS))
    container = lxml.html.fromstring(f"<div><p>Lead <b>bold</b> {words}end</p></div>")
    start = time.process_time()
    cleaned = clean_html(container)
    elapsed = time.process_time() - start
    assert cleaned is not None
    assert cleaned.startswith("<p>Lead <strong>bold</strong> w0 w1 ")
    assert cleaned.endswith(f"w{SPANS - 1} end</p>")
    assert elapsed < BOUND
