"""Captions and credits on caption markup no development page was taken from.

Each case is a hand-written article page carrying the image markup of one widely
used CMS, page builder or plain-HTML habit (WordPress classic and block editor,
Drupal, Ghost, Medium-style figures, Arc XP / Brightspot-like figures, AMP,
old table layouts, galleries, lazy loaders, schema.org microdata and JSON-LD)
or one credit convention of a language. The expected record follows
docs/schema.md: ``text`` is the caption without its credit, ``credit`` the photo
credit without its label ("Foto:", "©", "Photo by"), ``image_url`` the absolute
URL of the captioned image. The page goes through the whole engine, as a crawl
would run it, so the body's container decides what is the article as it does
on real pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from newsarchive.extraction import extract

BASE = "https://news.example.test"
_PARAGRAPH = {
    "en": "The council met on Tuesday evening to discuss the harbour plan, and residents "
    "filled the hall to hear how the new quay would change the old fishing district.",
    "de": "Der Gemeinderat hat am Dienstagabend über den Hafenplan beraten, und viele "
    "Anwohner kamen, um zu hören, wie die neue Kaimauer das alte Fischerviertel verändert.",
    "fr": "Le conseil municipal s'est réuni mardi soir pour discuter du projet de port, et "
    "les habitants ont rempli la salle pour savoir comment le nouveau quai changera le quartier.",
    "es": "El ayuntamiento se reunió el martes por la noche para debatir el plan del puerto, y "
    "los vecinos llenaron la sala para saber cómo cambiará el barrio de pescadores.",
    "it": "Il consiglio comunale si è riunito martedì sera per discutere il piano del porto, e "
    "i residenti hanno riempito la sala per sapere come cambierà il vecchio quartiere.",
    "nl": "De gemeenteraad kwam dinsdagavond bijeen om het havenplan te bespreken, en veel "
    "bewoners kwamen luisteren hoe de nieuwe kade de oude vissersbuurt zal veranderen.",
    "pl": "Rada miasta zebrała się we wtorek wieczorem, aby omówić plan portu, a mieszkańcy "
    "wypełnili salę, by usłyszeć, jak nowe nabrzeże zmieni starą dzielnicę rybacką.",
    "ru": "Городской совет собрался во вторник вечером, чтобы обсудить план порта, и жители "
    "заполнили зал, чтобы узнать, как новая набережная изменит старый рыбацкий квартал.",
    "zh": "市议会周二晚上召开会议讨论港口规划，许多居民挤满了会场，想了解新码头将如何改变"
    "老渔村的面貌，以及工程将在何时开始。",
    "ja": "市議会は火曜日の夜に港湾計画について話し合い、多くの住民が会場に集まり、新しい"
    "岸壁が古い漁師町をどう変えるのかに耳を傾けた。",
}


def page(figure: str, lang: str = "en", head: str = "", before: str = "") -> str:
    """An article page: headline, two paragraphs around ``figure``; ``before`` sits above
    the article (a lead image in the page header), ``head`` in ``<head>``."""
    # Distinct paragraphs: the body drops a paragraph repeated word for word.
    first, second, third, fourth = (f"{n}. {_PARAGRAPH[lang]}" for n in range(1, 5))
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>Harbour plan</title>{head}</head><body>"
        "<header class='site-header'><a href='/'>News Example</a><nav><a href='/politics'>"
        "Politics</a> <a href='/sport'>Sport</a></nav></header>"
        f"<main>{before}<article><h1>Council debates the harbour plan</h1>"
        f"<p>{first}</p><p>{second}</p>{figure}<p>{third}</p><p>{fourth}</p></article></main>"
        "<footer class='site-footer'><p>© 2026 News Example</p></footer></body></html>"
    )


@dataclass(frozen=True)
class Case:
    """One page and the captions the schema asks for: (text, credit) pairs in page order,
    and the image URLs when the case is about finding the image."""

    html: str
    captions: list[tuple[str | None, str | None]]
    images: list[str] | None = None


def ld(obj: str) -> str:
    return f"<script type='application/ld+json'>{obj}</script>"


CASES: dict[str, Case] = {
    # --- WordPress -------------------------------------------------------------------
    "wordpress classic wp-caption": Case(
        page(
            "<div id='attachment_12' style='width: 810px' class='wp-caption aligncenter'>"
            "<a href='/wp-content/uploads/2026/05/quay.jpg'><img class='size-large wp-image-12'"
            " src='/wp-content/uploads/2026/05/quay-800x533.jpg' alt='' width='800'></a>"
            "<p id='caption-attachment-12' class='wp-caption-text'>Fishing boats return to the"
            " old quay at dawn. Photo: Jane Roe</p></div>"
        ),
        [("Fishing boats return to the old quay at dawn.", "Jane Roe")],
        [f"{BASE}/wp-content/uploads/2026/05/quay-800x533.jpg"],
    ),
    "wordpress classic caption as html5 figure": Case(
        page(
            "<figure id='attachment_7' aria-describedby='caption-attachment-7' "
            "class='wp-caption alignnone'><img class='wp-image-7' src='/up/hall.jpg' alt=''>"
            "<figcaption id='caption-attachment-7' class='wp-caption-text'>Residents fill the "
            "town hall. © Harbour Herald</figcaption></figure>"
        ),
        [("Residents fill the town hall.", "Harbour Herald")],
    ),
    "wordpress block image": Case(
        page(
            "<figure class='wp-block-image size-large'><img decoding='async' src='/up/markt.jpg'"
            " alt='Markt' class='wp-image-31'/><figcaption class='wp-element-caption'>Der "
            "Bürgermeister eröffnet den Wochenmarkt. Foto: Max Muster</figcaption></figure>",
            "de",
        ),
        [("Der Bürgermeister eröffnet den Wochenmarkt.", "Max Muster")],
    ),
    "wordpress block gallery": Case(
        page(
            "<figure class='wp-block-gallery has-nested-images columns-2'>"
            "<figure class='wp-block-image size-large'><img src='/up/g1.jpg' alt=''>"
            "<figcaption class='wp-element-caption'>The north pier at low tide.</figcaption>"
            "</figure><figure class='wp-block-image size-large'><img src='/up/g2.jpg' alt=''>"
            "<figcaption class='wp-element-caption'>The south pier after the storm.</figcaption>"
            "</figure><figcaption class='blocks-gallery-caption wp-element-caption'>Photos: "
            "Jane Roe</figcaption></figure>"
        ),
        # The gallery's own caption first: its <figure> opens before those of its images.
        [
            (None, "Jane Roe"),
            ("The north pier at low tide.", None),
            ("The south pier after the storm.", None),
        ],
    ),
    "wordpress html4 caption as a definition list": Case(
        page(
            "<dl id='attachment_5' class='wp-caption alignright' style='width: 310px;'>"
            "<dt class='wp-caption-dt'><a href='/up/dock.jpg'><img class='size-medium' "
            "src='/up/dock-300x200.jpg' alt=''></a></dt><dd class='wp-caption-dd'>The dock in "
            "1962. Photo: City Archive</dd></dl>"
        ),
        [("The dock in 1962.", "City Archive")],
    ),
    "wordpress gallery shortcode": Case(
        page(
            "<div id='gallery-1' class='gallery galleryid-9 gallery-columns-2'>"
            "<dl class='gallery-item'><dt class='gallery-icon landscape'><a href='/up/w1.jpg'>"
            "<img src='/up/w1-150x150.jpg' class='attachment-thumbnail' alt=''></a></dt>"
            "<dd class='wp-caption-text gallery-caption'>Sails drying in the sun.</dd></dl>"
            "<dl class='gallery-item'><dt class='gallery-icon landscape'><a href='/up/w2.jpg'>"
            "<img src='/up/w2-150x150.jpg' class='attachment-thumbnail' alt=''></a></dt>"
            "<dd class='wp-caption-text gallery-caption'>The rope maker at work.</dd></dl></div>"
        ),
        [("Sails drying in the sun.", None), ("The rope maker at work.", None)],
    ),
    "elementor image widget": Case(
        page(
            "<div class='elementor-widget-container'><figure class='wp-caption'><img "
            "width='800' src='/up/el.jpg' class='attachment-large' alt=''><figcaption "
            "class='widget-image-caption wp-caption-text'>Volunteers clean the beach. Foto: "
            "Jane Roe</figcaption></figure></div>"
        ),
        [("Volunteers clean the beach.", "Jane Roe")],
    ),
    "joomla image caption": Case(
        page(
            "<div class='img_caption left' style='float: left; width: 300px;'><img src="
            "'/images/stories/pier.jpg' alt='Pier' title='Pier' width='300'><p class="
            "'img_caption'>The pier after the repairs.</p></div>"
        ),
        [("The pier after the repairs.", None)],
    ),
    "typo3 content element gallery": Case(
        page(
            "<div class='ce-image ce-center ce-above'><div class='ce-gallery' data-ce-columns="
            "'1' data-ce-images='1'><div class='ce-outer'><div class='ce-inner'><div class="
            "'ce-row'><div class='ce-column'><figure class='image'><img class='image-embed-item'"
            " src='/fileadmin/_processed_/hafen.jpg' width='800' alt=''><figcaption class="
            "'image-caption'>Der Hafen von oben. Foto: Stadtwerke</figcaption></figure></div>"
            "</div></div></div></div></div>",
            "de",
        ),
        [("Der Hafen von oben.", "Stadtwerke")],
    ),
    "aem core image component": Case(
        page(
            "<div class='cmp-image' itemscope itemtype='http://schema.org/ImageObject'>"
            "<img src='/content/dam/site/quay.jpg' class='cmp-image__image' itemprop="
            "'contentUrl' alt=''><meta itemprop='caption' content='The quay at high tide.'>"
            "<span class='cmp-image__title' itemprop='caption'>The quay at high tide.</span>"
            "</div>"
        ),
        [("The quay at high tide.", None)],
    ),
    "aem image component with a meta caption only": Case(
        page(
            "<div class='cmp-image' itemscope itemtype='http://schema.org/ImageObject'>"
            "<img src='/content/dam/site/quay2.jpg' class='cmp-image__image' itemprop="
            "'contentUrl' alt=''><meta itemprop='caption' content='The quay at low tide.'>"
            "</div>"
        ),
        [("The quay at low tide.", None)],
    ),
    "squarespace image block": Case(
        page(
            "<figure class='sqs-block-image-figure intrinsic'><div class='image-block-wrapper'>"
            "<img data-src='https://images.example.test/sq/boat.jpg' data-image="
            "'https://images.example.test/sq/boat.jpg' alt=''></div><figcaption class="
            "'image-caption-wrapper'><div class='image-caption'><p>Our boat in the bay.</p>"
            "</div></figcaption></figure>"
        ),
        [("Our boat in the bay.", None)],
        ["https://images.example.test/sq/boat.jpg"],
    ),
    "substack captioned image": Case(
        page(
            "<div class='captioned-image-container'><figure><a class='image-link image2' "
            "href='https://cdn.example.test/i/crane.jpeg'><div class='image2-inset'><picture>"
            "<source type='image/webp' srcset='https://cdn.example.test/w_424/crane.webp 424w'>"
            "<img src='https://cdn.example.test/w_1456/crane.jpeg' width='1456' alt=''>"
            "</picture></div></a><figcaption class='image-caption'>The crane arrives by barge."
            "</figcaption></figure></div>"
        ),
        [("The crane arrives by barge.", None)],
        ["https://cdn.example.test/w_1456/crane.jpeg"],
    ),
    # --- Drupal ----------------------------------------------------------------------
    "drupal media entity fields": Case(
        page(
            "<div class='field field--name-field-media field--type-entity-reference'>"
            "<article class='media media--type-image media--view-mode-default'>"
            "<div class='field field--name-field-media-image field--type-image'>"
            "<img loading='lazy' src='/sites/default/files/styles/large/public/2026-05/pier.jpg'"
            " alt='Pier'></div><div class='field field--name-field-caption field__item'>The pier"
            " will be extended by forty metres.</div><div class='field field--name-field-credit"
            " field__item'>Jane Roe / Harbour Herald</div></article></div>"
        ),
        [("The pier will be extended by forty metres.", "Jane Roe / Harbour Herald")],
    ),
    "drupal caption filter figure": Case(
        page(
            "<figure role='group' class='caption caption-img align-center'>"
            "<img alt='' src='/sites/default/files/inline-images/lock.jpg'>"
            "<figcaption>The old lock gate, built in 1887. Photo: City Archive</figcaption>"
            "</figure>"
        ),
        [("The old lock gate, built in 1887.", "City Archive")],
    ),
    # --- Ghost -----------------------------------------------------------------------
    "ghost image card": Case(
        page(
            "<figure class='kg-card kg-image-card kg-card-hascaption'><img src='/content/images"
            "/2026/05/lighthouse.jpg' class='kg-image' alt='' loading='lazy' width='2000' "
            "srcset='/content/images/size/w600/2026/05/lighthouse.jpg 600w'><figcaption><span "
            "style='white-space: pre-wrap;'>The lighthouse keeper's cottage is for sale.</span>"
            "</figcaption></figure>"
        ),
        [("The lighthouse keeper's cottage is for sale.", None)],
        [f"{BASE}/content/images/2026/05/lighthouse.jpg"],
    ),
    "ghost card with unsplash attribution": Case(
        page(
            "<figure class='kg-card kg-image-card kg-card-hascaption'><img src='/content/images"
            "/2026/05/dunes.jpg' class='kg-image' alt='Dunes'><figcaption><span style='white-"
            "space: pre-wrap;'>Photo by </span><a href='https://unsplash.test/@jroe'><span "
            "style='white-space: pre-wrap;'>Jane Roe</span></a><span style='white-space: "
            "pre-wrap;'> on </span><a href='https://unsplash.test/'><span style='white-space: "
            "pre-wrap;'>Unsplash</span></a></figcaption></figure>"
        ),
        [(None, "Jane Roe on Unsplash")],
    ),
    "ghost gallery card": Case(
        page(
            "<figure class='kg-card kg-gallery-card kg-width-wide kg-card-hascaption'>"
            "<div class='kg-gallery-container'><div class='kg-gallery-row'>"
            "<div class='kg-gallery-image'><img src='/content/images/a1.jpg' alt=''></div>"
            "<div class='kg-gallery-image'><img src='/content/images/a2.jpg' alt=''></div>"
            "</div></div><figcaption>Two views of the harbour from the hill.</figcaption>"
            "</figure>"
        ),
        [("Two views of the harbour from the hill.", None)],
        [f"{BASE}/content/images/a1.jpg"],
    ),
    # --- Medium-style ----------------------------------------------------------------
    "medium figure with picture and photo-by caption": Case(
        page(
            "<figure class='pw-figure'><div role='button' tabindex='0'><picture>"
            "<source srcset='https://cdn.example.test/max/640/1.webp 640w' type='image/webp'>"
            "<img alt='' class='bh mo' width='700' height='467' loading='eager' role='presentation'"
            " src='https://cdn.example.test/max/700/1.jpeg'></picture></div>"
            "<figcaption class='pw-caption'>Photo by <a href='https://unsplash.test/@ab' "
            "rel='noopener'>Ana Bell</a> on <a href='https://unsplash.test' rel='noopener'>"
            "Unsplash</a></figcaption></figure>"
        ),
        [(None, "Ana Bell on Unsplash")],
        ["https://cdn.example.test/max/700/1.jpeg"],
    ),
    "caption ending in a photo-by sentence": Case(
        page(
            "<figure><img src='/p/market.jpg' alt=''><figcaption>Vendors set up before sunrise "
            "at the fish market. Photo by Jane Roe for News Example</figcaption></figure>"
        ),
        [("Vendors set up before sunrise at the fish market.", "Jane Roe for News Example")],
    ),
    "photo courtesy line": Case(
        page(
            "<figure><img src='/p/boat.jpg' alt=''><figcaption>The restored ferry on its first "
            "crossing. (Photo courtesy of the Maritime Museum)</figcaption></figure>"
        ),
        [("The restored ferry on its first crossing.", "the Maritime Museum")],
    ),
    # --- Arc XP / Brightspot-like ----------------------------------------------------
    "arc figure with caption and credit spans": Case(
        page(
            "<figure class='c-media-item'><div class='c-image-wrapper'><img src='/resizer/"
            "abc=/1200x0/filters:format(jpg)/harbour.jpg' alt='Harbour'></div><figcaption "
            "class='c-media-item__fig-caption'><span class='c-media-item__caption'>Cranes load "
            "containers at the east terminal on Monday.</span> <span class='c-media-item__"
            "credit'>(Jane Roe / The Chronicle)</span></figcaption></figure>"
        ),
        [("Cranes load containers at the east terminal on Monday.", "Jane Roe / The Chronicle")],
    ),
    "brightspot figure with credit div": Case(
        page(
            "<figure class='Figure'><picture><source type='image/webp' srcset='/dims4/a.webp "
            "1x'><img class='Image' alt='Harbour' src='/dims4/a.jpg'></picture>"
            "<figcaption class='Figure-caption'><div class='Figure-caption-text'><p>A cargo ship "
            "waits outside the breakwater.</p></div><div class='Figure-credit'>Jane Roe for The "
            "Herald</div></figcaption></figure>"
        ),
        [("A cargo ship waits outside the breakwater.", "Jane Roe for The Herald")],
        [f"{BASE}/dims4/a.jpg"],
    ),
    "wire caption with agency photo credit in brackets": Case(
        page(
            "<figure><img src='/p/storm.jpg' alt=''><figcaption>Waves break over the sea wall "
            "in the storm, Monday, May 4, 2026. (AP Photo/Jane M. Roe)</figcaption></figure>"
        ),
        [
            (
                "Waves break over the sea wall in the storm, Monday, May 4, 2026.",
                "AP Photo/Jane M. Roe",
            )
        ],
    ),
    "getty photo-by in brackets": Case(
        page(
            "<figure><img src='/p/race.jpg' alt=''><figcaption>Sailors round the last buoy "
            "(Photo by Jane Roe/Getty Images)</figcaption></figure>"
        ),
        [("Sailors round the last buoy", "Jane Roe/Getty Images")],
    ),
    # --- plain HTML ------------------------------------------------------------------
    "picture inside figure": Case(
        page(
            "<figure><picture><source media='(min-width: 800px)' srcset='/p/wide.avif'>"
            "<source srcset='/p/narrow.webp'><img src='/p/fallback.jpg' alt='Quay'></picture>"
            "<figcaption>The new quay will be 300 metres long.</figcaption></figure>"
        ),
        [("The new quay will be 300 metres long.", None)],
        [f"{BASE}/p/fallback.jpg"],
    ),
    "picture with sources only": Case(
        page(
            "<figure><picture><source type='image/webp' srcset='/p/q-800.webp 800w, "
            "/p/q-400.webp 400w'></picture><figcaption>The quay seen from the water.</figcaption>"
            "</figure>"
        ),
        [("The quay seen from the water.", None)],
        [f"{BASE}/p/q-800.webp"],
    ),
    "image with caption paragraph in a small wrapper": Case(
        page(
            "<div class='photo'><img src='/p/nets.jpg' alt=''><p class='caption'>Nets dry on "
            "the harbour wall. (Photo: Jane Roe)</p></div>"
        ),
        [("Nets dry on the harbour wall.", "Jane Roe")],
    ),
    "image paragraph followed by a caption paragraph": Case(
        page(
            "<p><img src='/p/mill.jpg' alt='Old mill' width='600'></p><p class='caption'>The "
            "old mill on the river, now a museum.</p>"
        ),
        [("The old mill on the river, now a museum.", None)],
        [f"{BASE}/p/mill.jpg"],
    ),
    "image followed by a caption paragraph in the article": Case(
        page(
            "<img src='/p/bridge.jpg' alt=''><p class='image-caption'>The swing bridge opens for"
            " a tall ship. Photo: Jane Roe</p>"
        ),
        [("The swing bridge opens for a tall ship.", "Jane Roe")],
        [f"{BASE}/p/bridge.jpg"],
    ),
    "old table layout with caption cell": Case(
        page(
            "<table class='image' align='center' width='400'><tr><td><img src='/p/tram.jpg' "
            "width='400'></td></tr><tr><td class='caption'>The last tram leaves the depot. "
            "Foto: Stadtarchiv</td></tr></table>",
            "de",
        ),
        [("The last tram leaves the depot.", "Stadtarchiv")],
    ),
    "blogger table caption container": Case(
        page(
            "<table align='center' cellpadding='0' cellspacing='0' class='tr-caption-container'>"
            "<tbody><tr><td style='text-align: center;'><a href='/p/big/fort.jpg'><img border="
            "'0' src='/p/fort.jpg' width='400'></a></td></tr><tr><td class='tr-caption' "
            "style='text-align: center;'>The fort at the harbour mouth.</td></tr></tbody>"
            "</table>"
        ),
        [("The fort at the harbour mouth.", None)],
    ),
    "table with a caption element": Case(
        page(
            "<table border='0' width='420'><caption>The harbour master's office in 1910. Photo:"
            " City Archive</caption><tr><td><img src='/p/office.jpg' width='420'></td></tr>"
            "</table>"
        ),
        [("The harbour master's office in 1910.", "City Archive")],
        [f"{BASE}/p/office.jpg"],
    ),
    "figure with caption div and credit class": Case(
        page(
            "<figure class='article-image'><img src='/p/crane.jpg' alt=''><div class="
            "'image-caption'>The old crane is a listed monument.</div><div class='image-"
            "copyright'>© Jane Roe</div></figure>"
        ),
        [("The old crane is a listed monument.", "Jane Roe")],
    ),
    "slideshow of captioned slides": Case(
        page(
            "<div class='gallery slideshow'><ul class='slides'>"
            "<li class='slide'><img src='/p/s1.jpg' alt=''><div class='slide-caption'>The first "
            "boat of the season. Photo: Jane Roe</div></li>"
            "<li class='slide'><img src='/p/s2.jpg' alt=''><div class='slide-caption'>Crowds on "
            "the pier at noon. Photo: John Doe</div></li></ul></div>"
        ),
        [
            ("The first boat of the season.", "Jane Roe"),
            ("Crowds on the pier at noon.", "John Doe"),
        ],
        [f"{BASE}/p/s1.jpg", f"{BASE}/p/s2.jpg"],
    ),
    "gallery items with counters and image-text captions": Case(
        page(
            "<div class='gallery-content'><div class='gallery-item'><div class='item-counter'>"
            "<span>1</span>/<span>2</span></div><div class='image-wrapper'><img src='/p/gi1.jpg'"
            " alt=''><div class='field-copyright'>© Jane Roe</div></div><div class='field-image"
            "-text'><p>The harbour festival opens on Friday.</p></div></div><div class='gallery-"
            "item'><div class='item-counter'><span>2</span>/<span>2</span></div><div class="
            "'image-wrapper'><img src='/p/gi2.jpg' alt=''><div class='field-copyright'>© John "
            "Doe</div></div><div class='field-image-text'><p>Fireworks over the water.</p></div>"
            "</div></div>"
        ),
        [
            ("The harbour festival opens on Friday.", "Jane Roe"),
            ("Fireworks over the water.", "John Doe"),
        ],
    ),
    "slideshow counter inside the caption": Case(
        page(
            "<figure><img src='/p/sc1.jpg' alt=''><figcaption><strong>1/6</strong> The first "
            "of six new ferries. <span class='copyright'>Jane Roe</span></figcaption></figure>"
            "<figure><img src='/p/sc2.jpg' alt=''><figcaption><span>2 of 6</span> The second "
            "ferry at the yard.</figcaption></figure>"
            "<figure><img src='/p/sc3.jpg' alt=''><figcaption>9/11 memorial lights over the "
            "river.</figcaption></figure>"
            "<figure><img src='/p/sc4.jpg' alt=''><figcaption>4 / 6 <span class='credit'>Jane "
            "Roe</span></figcaption></figure>"
        ),
        [
            ("The first of six new ferries.", "Jane Roe"),
            ("The second ferry at the yard.", None),
            ("9/11 memorial lights over the river.", None),
            (None, "Jane Roe"),
        ],
    ),
    "lead carousel above the article": Case(
        page(
            "",
            before="<div class='carousel'><figure><img src='/p/l1.jpg' alt=''>"
            "<figcaption>The harbour from the lighthouse. Photo: Jane Roe</figcaption></figure>"
            "<figure><img src='/p/l2.jpg' alt=''><figcaption>The fish market at dawn. Photo: "
            "John Doe</figcaption></figure></div>",
        ),
        [
            ("The harbour from the lighthouse.", "Jane Roe"),
            ("The fish market at dawn.", "John Doe"),
        ],
    ),
    "photo gallery above the article": Case(
        page(
            "",
            before="<div class='photo-gallery'><div class='gallery-item'><img src='/p/pg1.jpg'"
            " alt=''><p class='gallery-caption'>Kites over the north beach. Photo: Jane Roe</p>"
            "</div></div>",
        ),
        [("Kites over the north beach.", "Jane Roe")],
    ),
    "german picture gallery above the article": Case(
        page(
            "",
            "de",
            before="<section class='bildergalerie'><figure><img src='/p/bg1.jpg' alt=''>"
            "<figcaption>Der Hafen im Morgennebel. Foto: Erika Muster</figcaption></figure>"
            "</section>",
        ),
        [("Der Hafen im Morgennebel.", "Erika Muster")],
    ),
    "slideshow above the article": Case(
        page(
            "",
            before="<div class='slideshow'><div class='slide'><img src='/p/ss1.jpg' alt=''>"
            "<p class='slide-caption'>Boats in the winter harbour. Photo: Jane Roe</p></div>"
            "</div>",
        ),
        [("Boats in the winter harbour.", "Jane Roe")],
    ),
    "page builder caption set as a heading": Case(
        page(
            "<div class='wpb_wrapper'><div class='wpb_single_image'><figure class='vc_figure'>"
            "<img src='/p/h6.jpg' alt=''></figure></div><div class='wpb_text_column "
            "bildunterschrift'><div class='wpb_wrapper'><h6>Der neue Anleger im Abendlicht. "
            "(Foto: Erika Muster)</h6></div></div></div>",
            "de",
        ),
        [("Der neue Anleger im Abendlicht.", "Erika Muster")],
    ),
    "german symbolfoto and archivbild labels": Case(
        page(
            "<figure><img src='/p/sy1.jpg' alt=''><figcaption>Ein Streifenwagen am Hafen. "
            "(Symbolfoto: Max Muster/dpa)</figcaption></figure><figure><img src='/p/sy2.jpg' "
            "alt=''><figcaption>Die Werft im Jahr 1990. Archivbild: Stadtarchiv</figcaption>"
            "</figure><figure><img src='/p/sy3.jpg' alt=''><figcaption>Der Hafen im Winter. "
            "Titelbild: Erika Muster</figcaption></figure>",
            "de",
        ),
        [
            ("Ein Streifenwagen am Hafen.", "Max Muster/dpa"),
            ("Die Werft im Jahr 1990.", "Stadtarchiv"),
            ("Der Hafen im Winter.", "Erika Muster"),
        ],
    ),
    # --- lazy loading and AMP --------------------------------------------------------
    "lazy image with placeholder src": Case(
        page(
            "<figure><img class='lazyload' src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' "
            "data-src='/p/lazy.jpg' alt=''><figcaption>Divers inspect the pier's "
            "foundations.</figcaption></figure>"
        ),
        [("Divers inspect the pier's foundations.", None)],
        [f"{BASE}/p/lazy.jpg"],
    ),
    "lazy image with data-lazy-src and a noscript copy": Case(
        page(
            "<figure class='wp-block-image'><img src='data:image/svg+xml,%3Csvg%3E%3C/svg%3E' "
            "data-lazy-src='/p/wharf.jpg' alt=''><noscript><img src='/p/wharf.jpg' alt=''>"
            "</noscript><figcaption>The wharf before the renovation.</figcaption></figure>"
        ),
        [("The wharf before the renovation.", None)],
        [f"{BASE}/p/wharf.jpg"],
    ),
    "lazy srcset only": Case(
        page(
            "<figure><img class='lazy' data-srcset='/p/ss-1200.jpg 1200w, /p/ss-600.jpg 600w' "
            "alt=''><figcaption>Gulls over the breakwater.</figcaption></figure>"
        ),
        [("Gulls over the breakwater.", None)],
        [f"{BASE}/p/ss-1200.jpg"],
    ),
    "amp figure": Case(
        page(
            "<figure class='amp-fig'><amp-img src='/p/amp.jpg' width='1200' height='800' "
            "layout='responsive' alt=''></amp-img><figcaption>Tug boats guide the tanker in. "
            "Foto: Jane Roe</figcaption></figure>"
        ),
        [("Tug boats guide the tanker in.", "Jane Roe")],
        [f"{BASE}/p/amp.jpg"],
    ),
    "amp image with caption paragraph": Case(
        page(
            "<div class='media-block'><amp-img src='/p/amp2.jpg' width='1200' height='800' "
            "layout='responsive'></amp-img><p class='caption'>The ferry terminal at night.</p>"
            "</div>"
        ),
        [("The ferry terminal at night.", None)],
        [f"{BASE}/p/amp2.jpg"],
    ),
    # --- schema.org ------------------------------------------------------------------
    "microdata image object with caption and copyright holder": Case(
        page(
            "<div itemprop='image' itemscope itemtype='https://schema.org/ImageObject'>"
            "<img itemprop='contentUrl' src='/p/md.jpg' alt=''>"
            "<span itemprop='caption'>The harbour office opens a new visitor centre.</span>"
            "<span itemprop='copyrightHolder'>Jane Roe</span></div>"
        ),
        [("The harbour office opens a new visitor centre.", "Jane Roe")],
        [f"{BASE}/p/md.jpg"],
    ),
    "microdata figure with credit in a meta tag": Case(
        page(
            "<figure itemscope itemtype='https://schema.org/ImageObject'><img itemprop='url' "
            "src='/p/md2.jpg' alt=''><figcaption itemprop='caption'>Sailors repair a mast."
            "</figcaption><meta itemprop='creditText' content='Jane Roe/Agency'></figure>"
        ),
        [("Sailors repair a mast.", "Jane Roe/Agency")],
    ),
    "json-ld image caption without markup caption": Case(
        page(
            "<img src='/p/ld.jpg' alt=''>",
            head=ld(
                '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": '
                '"Council debates the harbour plan", "image": {"@type": "ImageObject", '
                '"url": "https://news.example.test/p/ld.jpg", "caption": "The harbour at '
                'sunset.", "creditText": "Jane Roe"}}'
            ),
        ),
        [("The harbour at sunset.", "Jane Roe")],
        [f"{BASE}/p/ld.jpg"],
    ),
    "json-ld graph image with copyright holder organisation": Case(
        page(
            "<img src='/p/ld2.jpg' alt=''>",
            head=ld(
                '{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle", '
                '"image": {"@id": "https://news.example.test/#primaryimage"}}, {"@type": '
                '"ImageObject", "@id": "https://news.example.test/#primaryimage", '
                '"contentUrl": "https://news.example.test/p/ld2.jpg", "caption": "Fishermen '
                'mend their nets.", "copyrightHolder": {"@type": "Organization", "name": '
                '"Harbour Herald"}}]}'
            ),
        ),
        [("Fishermen mend their nets.", "Harbour Herald")],
    ),
    # --- alt text --------------------------------------------------------------------
    "alt text repeating the caption": Case(
        page(
            "<figure><img src='/p/alt1.jpg' alt='Children swim in the harbour pool.'>"
            "<figcaption>Children swim in the harbour pool.</figcaption></figure>"
        ),
        [("Children swim in the harbour pool.", None)],
    ),
    "alt text differing from the caption": Case(
        page(
            "<figure><img src='/p/alt2.jpg' alt='A pool with swimmers'>"
            "<figcaption>The harbour pool reopened after two years. Photo: Jane Roe"
            "</figcaption></figure>"
        ),
        [("The harbour pool reopened after two years.", "Jane Roe")],
    ),
    "alt text alone is no caption": Case(
        page("<p><img src='/p/alt3.jpg' alt='The harbour pool reopened after two years.'></p>"),
        [],
    ),
    # --- credit conventions in many languages ----------------------------------------
    "photo credit with agency after a slash": Case(
        page(
            "<figure><img src='/p/c1.jpg' alt=''><figcaption>Protesters gather at the gate. "
            "Photo: Jane Roe / Harbour Agency</figcaption></figure>"
        ),
        [("Protesters gather at the gate.", "Jane Roe / Harbour Agency")],
    ),
    "german foto with dpa": Case(
        page(
            "<figure><img src='/p/c2.jpg' alt=''><figcaption>Einsatzkräfte sichern den Hafen. "
            "Foto: Max Muster/dpa</figcaption></figure>",
            "de",
        ),
        [("Einsatzkräfte sichern den Hafen.", "Max Muster/dpa")],
    ),
    "german bild label in its own span": Case(
        page(
            "<figure><img src='/p/c3.jpg' alt=''><figcaption><span>Die neue Fähre legt an."
            "</span> <span>Bild: Erika Muster</span></figcaption></figure>",
            "de",
        ),
        [("Die neue Fähre legt an.", "Erika Muster")],
    ),
    "french credit photo label": Case(
        page(
            "<figure><img src='/p/c4.jpg' alt=''><figcaption>Le maire inaugure le nouveau quai."
            " Crédit photo : Jeanne Dupont</figcaption></figure>",
            "fr",
        ),
        [("Le maire inaugure le nouveau quai.", "Jeanne Dupont")],
    ),
    "french credit photo in a credit span": Case(
        page(
            "<figure><img src='/p/c5.jpg' alt=''><figcaption>Le port au lever du jour."
            "<span class='credit'>Crédit photo : AFP</span></figcaption></figure>",
            "fr",
        ),
        [("Le port au lever du jour.", "AFP")],
    ),
    "spanish foto in brackets": Case(
        page(
            "<figure><img src='/p/c6.jpg' alt=''><figcaption>Los pescadores descargan el atún "
            "en el muelle. (Foto: EFE/Juan Pérez)</figcaption></figure>",
            "es",
        ),
        [("Los pescadores descargan el atún en el muelle.", "EFE/Juan Pérez")],
    ),
    "spanish imagen label": Case(
        page(
            "<figure><img src='/p/c7.jpg' alt=''><figcaption>El faro restaurado. Imagen: "
            "Ayuntamiento de Vigo</figcaption></figure>",
            "es",
        ),
        [("El faro restaurado.", "Ayuntamiento de Vigo")],
    ),
    "spanish fotografia label": Case(
        page(
            "<figure><img src='/p/c6b.jpg' alt=''><figcaption>Turistas en el paseo marítimo. "
            "Fotografía: Reuters</figcaption></figure>",
            "es",
        ),
        [("Turistas en el paseo marítimo.", "Reuters")],
    ),
    "portuguese imagem label": Case(
        page(
            "<figure><img src='/p/c6c.jpg' alt=''><figcaption>O novo cais do porto de Santos. "
            "Imagem: Agência Porto</figcaption></figure>",
            "es",
        ),
        [("O novo cais do porto de Santos.", "Agência Porto")],
    ),
    "italian foto label": Case(
        page(
            "<figure><img src='/p/c8.jpg' alt=''><figcaption>Il sindaco visita il cantiere del "
            "porto. Foto: Ansa/Mario Rossi</figcaption></figure>",
            "it",
        ),
        [("Il sindaco visita il cantiere del porto.", "Ansa/Mario Rossi")],
    ),
    "dutch beeld label": Case(
        page(
            "<figure><img src='/p/c9.jpg' alt=''><figcaption>Vissers lossen hun vangst in de "
            "haven. Beeld: ANP / Jan Jansen</figcaption></figure>",
            "nl",
        ),
        [("Vissers lossen hun vangst in de haven.", "ANP / Jan Jansen")],
    ),
    "polish fot. abbreviation": Case(
        page(
            "<figure><img src='/p/c10.jpg' alt=''><figcaption>Nowe nabrzeże w Gdyni. Fot. "
            "PAP/Adam Nowak</figcaption></figure>",
            "pl",
        ),
        [("Nowe nabrzeże w Gdyni.", "PAP/Adam Nowak")],
    ),
    "polish zrodlo label": Case(
        page(
            "<figure><img src='/p/c11.jpg' alt=''><figcaption>Port w Szczecinie nocą. Źródło: "
            "Urząd Morski</figcaption></figure>",
            "pl",
        ),
        [("Port w Szczecinie nocą.", "Urząd Morski")],
    ),
    "russian foto label": Case(
        page(
            "<figure><img src='/p/c12.jpg' alt=''><figcaption>Рыбаки в порту на рассвете. "
            "Фото: Иван Петров / ТАСС</figcaption></figure>",
            "ru",
        ),
        [("Рыбаки в порту на рассвете.", "Иван Петров / ТАСС")],
    ),
    "chinese photo label with full-width colon": Case(
        page(
            "<figure><img src='/p/c13.jpg' alt=''><figcaption>新码头的建设工地。照片：新华社"
            "</figcaption></figure>",
            "zh",
        ),
        [("新码头的建设工地。", "新华社")],
    ),
    "chinese image source in full-width brackets": Case(
        page(
            "<figure><img src='/p/c14.jpg' alt=''><figcaption>渔民在港口卸货（图片来源：视觉"
            "中国）</figcaption></figure>",
            "zh",
        ),
        [("渔民在港口卸货", "视觉中国")],
    ),
    "chinese picture label": Case(
        page(
            "<figure><img src='/p/c14b.jpg' alt=''><figcaption>港口的夜景。图片：新华社"
            "</figcaption></figure>",
            "zh",
        ),
        [("港口的夜景。", "新华社")],
    ),
    "chinese photographer label": Case(
        page(
            "<figure><img src='/p/c14c.jpg' alt=''><figcaption>渔船在清晨出海。摄影：张伟"
            "</figcaption></figure>",
            "zh",
        ),
        [("渔船在清晨出海。", "张伟")],
    ),
    "traditional chinese image source and photographer": Case(
        page(
            "<figure><img src='/p/c14d.jpg' alt=''><figcaption>港口的新碼頭。圖片來源：中央社"
            "</figcaption></figure><figure><img src='/p/c14e.jpg' alt=''><figcaption>漁民在"
            "碼頭卸貨。攝影：王小明</figcaption></figure><figure><img src='/p/c14f.jpg' alt=''>"
            "<figcaption>燈塔。圖片：中央社</figcaption></figure>",
            "zh",
        ),
        [("港口的新碼頭。", "中央社"), ("漁民在碼頭卸貨。", "王小明"), ("燈塔。", "中央社")],
    ),
    "japanese photo label": Case(
        page(
            "<figure><img src='/p/c15.jpg' alt=''><figcaption>再開した港の市場。写真：共同"
            "</figcaption></figure>",
            "ja",
        ),
        [("再開した港の市場。", "共同")],
    ),
    "photographer and agency in brackets": Case(
        page(
            "<figure><img src='/p/c18.jpg' alt=''><figcaption>Smoke rises over the container "
            "port (Jane Roe/Reuters)</figcaption></figure>"
        ),
        [("Smoke rises over the container port", "Jane Roe/Reuters")],
    ),
    "turkish fotograf label": Case(
        page(
            "<figure><img src='/p/c19.jpg' alt=''><figcaption>Limanda balıkçı tekneleri. "
            "Fotoğraf: AA</figcaption></figure>"
        ),
        [("Limanda balıkçı tekneleri.", "AA")],
    ),
    "hungarian foto label": Case(
        page(
            "<figure><img src='/p/c20.jpg' alt=''><figcaption>A kikötő hajnalban. Fotó: MTI/"
            "Kovács Anna</figcaption></figure>"
        ),
        [("A kikötő hajnalban.", "MTI/Kovács Anna")],
    ),
    "finnish kuva label": Case(
        page(
            "<figure><img src='/p/c21.jpg' alt=''><figcaption>Satama aamulla. Kuva: Lehtikuva"
            "</figcaption></figure>"
        ),
        [("Satama aamulla.", "Lehtikuva")],
    ),
    "greek photo label": Case(
        page(
            "<figure><img src='/p/c22.jpg' alt=''><figcaption>Το λιμάνι του Πειραιά. "
            "Φωτογραφία: Eurokinissi</figcaption></figure>"
        ),
        [("Το λιμάνι του Πειραιά.", "Eurokinissi")],
    ),
    "korean photo credit with equals sign": Case(
        page(
            "<figure><img src='/p/c23.jpg' alt=''><figcaption>부산항 신항의 모습. 사진=연합뉴스"
            "</figcaption></figure>"
        ),
        [("부산항 신항의 모습.", "연합뉴스")],
    ),
    "credit after a lone full stop": Case(
        page(
            "<figure><img src='/p/c24.jpg' alt=''><figcaption>. Imagen: Agencia Sur"
            "</figcaption></figure>",
            "es",
        ),
        [(None, "Agencia Sur")],
    ),
    "illustration credit": Case(
        page(
            "<figure><img src='/p/c16.png' alt=''><figcaption>How the new quay will look. "
            "Illustration: Jane Roe</figcaption></figure>"
        ),
        [("How the new quay will look.", "Jane Roe")],
    ),
    "copyright sign only in the credit element": Case(
        page(
            "<figure><img src='/p/c17.jpg' alt=''><figcaption>The dry dock is flooded."
            "<small>© Harbour Agency</small></figcaption></figure>"
        ),
        [("The dry dock is flooded.", "Harbour Agency")],
    ),
    # --- what is not a caption -------------------------------------------------------
    "teaser cards after the article": Case(
        page("<p>More on the harbour below.</p>").replace(
            "</main>",
            "<section class='related-teasers'><a href='/other/1'><figure><img src='/t1.jpg'>"
            "<figcaption>Another story about ships</figcaption></figure></a>"
            "<a href='/other/2'><figure><img src='/t2.jpg'><figcaption>A second story about "
            "boats</figcaption></figure></a></section></main>",
        ),
        [],
    ),
    "teaser card inside the article": Case(
        page(
            "<div class='card'><img src='/t/3.jpg' alt=''><div class='card-caption'><h3><a "
            "href='/2026/04/ferry'>The ferry timetable changes in June</a></h3><p>What "
            "commuters need to know.</p></div></div>"
        ),
        [],
    ),
    "drupal teaser article beside the story": Case(
        page(
            "<article class='node--view-mode-teaser'><div class='field--name-field-image'><img "
            "src='/t/4.jpg' alt=''></div><div class='caption caption-teaser'><h3><a href="
            "'/2026/04/dredging'>Dredging starts in the channel</a></h3><div>Work goes on "
            "until autumn.</div></div></article>"
        ),
        [],
    ),
    "microdata logo without an image element": Case(
        page(
            "<span itemprop='publisher' itemscope itemtype='https://schema.org/Organization'>"
            "<span itemprop='logo' itemscope itemtype='https://schema.org/ImageObject'><meta "
            "itemprop='url' content='/logo.png'><span itemprop='name'>News Example logo</span>"
            "</span></span>"
        ),
        [],
    ),
    "caption-classed header around the headline": Case(
        page("").replace(
            "<article><h1>Council debates the harbour plan</h1>",
            "<article><div class='article-header has-caption'><h1>Council debates the harbour "
            "plan</h1><h2>Residents fear for the fishing district.</h2><figure><img "
            "src='/p/hd.jpg' alt=''><figcaption>The old fishing district at dusk.</figcaption>"
            "</figure><div class='byline'>Jane Roe</div></div>",
        ),
        [("The old fishing district at dusk.", None)],
    ),
    # --- Carousel libraries: a slide holds one picture and a description ----------
    "swiper slides with descriptions above the article": Case(
        page(
            "",
            before="<div class='swiper gallery-top'><div class='swiper-wrapper'>"
            "<div class='swiper-slide'><picture><source srcset='/p/sw1.webp' type='image/webp'>"
            "<img src='/p/sw1.jpg' alt='Harbour'></picture><div class='swiper-info'>"
            "<span class='swiper-counter'>1 / 2</span><p class='slide-description'>Boats in "
            "the winter harbour. (Photo: Jane Roe)</p></div></div>"
            "<div class='swiper-slide'><img src='/p/sw2.jpg' alt='Quay'><div class='swiper-info'>"
            "<span class='swiper-counter'>2 / 2</span><p class='slide-description'>The new quay"
            " under construction. (Photo: John Doe)</p></div></div></div>"
            "<button class='swiper-button-next'>Next</button></div>",
        ),
        [
            ("Boats in the winter harbour.", "Jane Roe"),
            ("The new quay under construction.", "John Doe"),
        ],
    ),
    "slick slides inside the article": Case(
        page(
            "<div class='slick-slider'><div class='slick-list'><div class='slick-track'>"
            "<div class='slick-slide slick-current' data-slick-index='0'><img "
            "src='/p/sl1.jpg' alt=''><p class='image-desc'>Der neue Kai im Morgenlicht. "
            "Foto: Max Muster</p></div><div class='slick-slide' data-slick-index='1'><img "
            "src='/p/sl2.jpg' alt=''><p class='image-desc'>Fischer am alten Hafen. Foto: "
            "Erika Muster</p></div></div></div></div>",
            "de",
        ),
        [
            ("Der neue Kai im Morgenlicht.", "Max Muster"),
            ("Fischer am alten Hafen.", "Erika Muster"),
        ],
    ),
    "glide slide with an agency credit": Case(
        page(
            "<div class='glide'><div class='glide__track' data-glide-el='track'>"
            "<ul class='glide__slides'><li class='glide__slide'><img src='/p/gl1.jpg' alt=''>"
            "<div class='glide__description'>Harbour workers unload the first ship, Monday, "
            "May 4, 2026. (AP Photo/Jane Roe)</div></li></ul></div></div>"
        ),
        [("Harbour workers unload the first ship, Monday, May 4, 2026.", "AP Photo/Jane Roe")],
    ),
    "carousel of teaser slides is no caption": Case(
        page(
            "<div class='swiper related'><div class='swiper-wrapper'><div class='swiper-slide'>"
            "<a href='/2026/05/other-story'><img src='/p/t1.jpg' alt=''></a><p "
            "class='teaser-description'><a href='/2026/05/other-story'>Another story about "
            "the port and its workers</a></p></div><div class='swiper-slide'><img "
            "src='/p/t2.jpg' alt=''><h3>The ferry timetable changes</h3><p class='description'>"
            "What travellers need to know this summer.</p></div></div></div>"
        ),
        [],
    ),
    "slide of several pictures is a row of cards": Case(
        page(
            "<div class='carousel'><div class='carousel-item'><img src='/p/r1.jpg' alt=''>"
            "<img src='/p/r2.jpg' alt=''><img src='/p/r3.jpg' alt=''><p class='desc'>Three "
            "partner hotels near the harbour.</p></div></div>"
        ),
        [],
    ),
    "slide around a figure is that figure": Case(
        page(
            "<div class='swiper'><div class='swiper-wrapper'><div class='swiper-slide'>"
            "<figure><img src='/p/sf1.jpg' alt=''><span class='image-credit'>Jane Roe</span>"
            "<figcaption>The quay at dusk.</figcaption></figure></div></div></div>"
        ),
        [("The quay at dusk.", "Jane Roe")],
    ),
    "slideshow titled with file names": Case(
        page(
            "<div class='slideshow_container'><div class='slideshow_slide slideshow_slide_image'>"
            "<img src='/p/harbour_walk_2.jpg' alt=''><div class='slideshow_description_box'>"
            "<div class='slideshow_title'>harbour_walk_2</div></div></div></div>"
        ),
        [],
    ),
    # --- An agency's name on a line of its own; a label left by its credit element -----
    "agency credit in its own paragraph of the figcaption": Case(
        page(
            "<figure class='sc-a1b2c3'><img src='/p/ag1.jpg' alt=''><figcaption "
            "class='sc-d4e5f6'><p class='sc-g7h8'>Commuters wait for the first ferry at the "
            "new quay</p><p class='sc-i9j0'>AFP via Getty Images</p></figcaption></figure>"
        ),
        [("Commuters wait for the first ferry at the new quay", "AFP via Getty Images")],
    ),
    "photographer and agency on a line of their own": Case(
        page(
            "<figure><img src='/p/ag2.jpg' alt=''><figcaption><div>Crowds at the harbour "
            "festival</div><div>Jane Roe/Reuters</div></figcaption></figure>"
        ),
        [("Crowds at the harbour festival", "Jane Roe/Reuters")],
    ),
    "spanish agency line through a distributor": Case(
        page(
            "<figure><img src='/p/ag3.jpg' alt=''><figcaption><span>Los bomberos trabajan en "
            "el puerto</span> <span>Ministerio del Interior vía EFE</span></figcaption></figure>",
            "es",
        ),
        [("Los bomberos trabajan en el puerto", "Ministerio del Interior vía EFE")],
    ),
    "a short second line that is no agency stays in the caption": Case(
        page(
            "<figure><img src='/p/ag4.jpg' alt=''><figcaption><p>The old quay.</p><p>Built in "
            "1890</p></figcaption></figure>"
        ),
        [("The old quay. Built in 1890", None)],
    ),
    "label left before a credit element": Case(
        page(
            "<figure><img src='/p/lb1.jpg' alt=''><figcaption>Die Hafenmauer bei Nacht. Foto: "
            "<span class='credit'>Max Muster</span></figcaption></figure>",
            "de",
        ),
        [("Die Hafenmauer bei Nacht.", "Max Muster")],
    ),
    "caption that is only a label": Case(
        page(
            "<figure><img src='/p/lb2.jpg' alt=''><figcaption><span>Quelle:</span> "
            "<span class='copyright'>Harbour Herald</span></figcaption></figure>",
            "de",
        ),
        [(None, "Harbour Herald")],
    ),
    "bracketed source through an agency": Case(
        page(
            "<figure><img src='/p/br1.jpg' alt=''><figcaption>Un buque de la armada frente al "
            "puerto (Ministerio de Defensa vía AP)</figcaption></figure>",
            "es",
        ),
        [("Un buque de la armada frente al puerto", "Ministerio de Defensa vía AP")],
    ),
    "bracketed stock photo with a user name": Case(
        page(
            "<figure><img src='/p/br2.jpg' alt=''><figcaption>A pupil fills in an exam paper "
            "(jdoe77/iStock)</figcaption></figure>"
        ),
        [("A pupil fills in an exam paper", "jdoe77/iStock")],
    ),
    "bracketed note naming no agency stays": Case(
        page(
            "<figure><img src='/p/br3.jpg' alt=''><figcaption>The old quay (built in 1890, "
            "rebuilt via public funds)</figcaption></figure>"
        ),
        [("The old quay (built in 1890, rebuilt via public funds)", None)],
    ),
    # --- Template leftovers that are neither caption nor credit -----------------------
    "image path in a credit attribute": Case(
        page(
            "<img src='/media/42/quay.jpg' data-caption='Die Hafenmauer bei Nacht' "
            "data-copyright='/media/42/thumbnails/hafenmauer-nacht.jpg.31337.jpg' alt=''>",
            "de",
        ),
        [("Die Hafenmauer bei Nacht", None)],
    ),
    "slideshow button with its image count": Case(
        page(
            "<figure class='slideshow-teaser'><img src='/p/ss.jpg' alt=''><figcaption>"
            "Slideshow (15 images)</figcaption></figure>"
        ),
        [],
    ),
    "read-on link under a teaser image": Case(
        page(
            "<figure><a href='#more'><img src='/p/ro.jpg' alt=''></a><figcaption><a "
            "href='#more'>Weiterlesen</a></figcaption></figure>",
            "de",
        ),
        [],
    ),
    "pull quote figure": Case(
        page(
            "<figure class='pullquote'><blockquote><p>We will build it within two years.</p>"
            "</blockquote><figcaption>Jane Roe, harbour master</figcaption></figure>"
        ),
        [],
    ),
    # --- Captions tied to their image from outside it (helper "newsfields") -----------
    "image tied to its caption by aria-describedby": Case(
        page(
            "<div class='media'><img src='/p/ad.jpg' alt='' aria-describedby='cap-7'></div>"
            "<p id='cap-7'>Boats return to the quay at dawn.</p>"
        ),
        [("Boats return to the quay at dawn.", None)],
        [f"{BASE}/p/ad.jpg"],
    ),
    "lightbox link carrying the caption": Case(
        page(
            "<a href='/p/big.jpg' data-fancybox='gallery' data-caption='&lt;p&gt;The pier "
            "after the storm.&lt;/p&gt;'><img src='/p/lb.jpg' alt=''></a>"
        ),
        [("The pier after the storm.", None)],
        [f"{BASE}/p/lb.jpg"],
    ),
    "toggle caption control inside the caption": Case(
        page(
            "<figure><img src='/p/tg.jpg' alt=''><figcaption><div class='caption'><p>Boats "
            "return to the quay at dawn.</p><b class='toggle-caption'>toggle caption</b>"
            "<span class='credit'>Jane Roe/NPR</span></div></figcaption></figure>"
        ),
        [("Boats return to the quay at dawn.", "Jane Roe/NPR")],
    ),
    "enlarge label as text beside the caption": Case(
        page(
            "<figure><img src='/p/en.jpg' alt=''><figcaption><span class='zoom-label'>Bild "
            "vergrößern</span> Die Boote kehren am Morgen zurück.</figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen zurück.", None)],
    ),
    # --- Credits: more labels, dashes, leading credits -----------------------------------
    "german grafik label": Case(
        page(
            "<figure><img src='/p/gr.png' alt=''><figcaption>So verteilt sich der Verkehr "
            "im Hafen. Grafik: Max Muster</figcaption></figure>",
            "de",
        ),
        [("So verteilt sich der Verkehr im Hafen.", "Max Muster")],
    ),
    "english infographic label": Case(
        page(
            "<figure><img src='/p/ig.png' alt=''><figcaption>Ships in the harbour by hour."
            " Infographic: Jane Roe</figcaption></figure>"
        ),
        [("Ships in the harbour by hour.", "Jane Roe")],
    ),
    "english picture label": Case(
        page(
            "<figure><img src='/p/pi.jpg' alt=''><figcaption>Boats return to the quay at "
            "dawn. Picture: Jane Roe</figcaption></figure>"
        ),
        [("Boats return to the quay at dawn.", "Jane Roe")],
    ),
    "german bildnachweis label": Case(
        page(
            "<figure><img src='/p/bn.jpg' alt=''><figcaption>Die Boote kehren am Morgen "
            "zurück. Bildnachweis: Max Muster</figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen zurück.", "Max Muster")],
    ),
    "czech zdroj label": Case(
        page(
            "<figure><img src='/p/cz.jpg' alt=''><figcaption>Lodě se vracejí do přístavu. "
            "Zdroj: ČTK</figcaption></figure>"
        ),
        [("Lodě se vracejí do přístavu.", "ČTK")],
    ),
    "romanian sursa foto label": Case(
        page(
            "<figure><img src='/p/ro.jpg' alt=''><figcaption>Bărcile se întorc în port. "
            "Sursa foto: Ion Popescu</figcaption></figure>"
        ),
        [("Bărcile se întorc în port.", "Ion Popescu")],
    ),
    "arabic photographer label in brackets": Case(
        page(
            "<figure><img src='/p/ar.jpg' alt=''><figcaption>قوارب تعود إلى الميناء "
            "(تصوير: أحمد علي)</figcaption></figure>"
        ),
        [("قوارب تعود إلى الميناء", "أحمد علي")],
    ),
    "hebrew photo label": Case(
        page(
            "<figure><img src='/p/he.jpg' alt=''><figcaption>סירות חוזרות לנמל. צילום: "
            "משה כהן</figcaption></figure>"
        ),
        [("סירות חוזרות לנמל.", "משה כהן")],
    ),
    "persian photo label": Case(
        page(
            "<figure><img src='/p/fa.jpg' alt=''><figcaption>قایق ها به بندر باز می گردند. "
            "عکس: علی رضایی</figcaption></figure>"
        ),
        [("قایق ها به بندر باز می گردند.", "علی رضایی")],
    ),
    "hindi photo label": Case(
        page(
            "<figure><img src='/p/hi.jpg' alt=''><figcaption>नावें बंदरगाह पर लौटती हैं। "
            "फोटो: राम कुमार</figcaption></figure>"
        ),
        [("नावें बंदरगाह पर लौटती हैं।", "राम कुमार")],
    ),
    "vietnamese photo label": Case(
        page(
            "<figure><img src='/p/vi.jpg' alt=''><figcaption>Tàu cá trở về cảng. Ảnh: "
            "Nguyễn Văn An</figcaption></figure>"
        ),
        [("Tàu cá trở về cảng.", "Nguyễn Văn An")],
    ),
    "thai picture label": Case(
        page(
            "<figure><img src='/p/th.jpg' alt=''><figcaption>เรือประมงกลับเข้าท่า ภาพ: "
            "สมชาย ใจดี</figcaption></figure>"
        ),
        [("เรือประมงกลับเข้าท่า", "สมชาย ใจดี")],
    ),
    "agency after a dash": Case(
        page(
            "<figure><img src='/p/da.jpg' alt=''><figcaption>Boats return to the quay at dawn"
            " - Getty Images</figcaption></figure>"
        ),
        [("Boats return to the quay at dawn", "Getty Images")],
    ),
    "italian foto and agency after a dash": Case(
        page(
            "<figure><img src='/p/it.jpg' alt=''><figcaption>Le barche tornano al porto - "
            "foto Ansa</figcaption></figure>",
            "it",
        ),
        [("Le barche tornano al porto", "Ansa")],
    ),
    "italian foto and agency in brackets": Case(
        page(
            "<figure><img src='/p/ib.jpg' alt=''><figcaption>Le barche tornano al porto "
            "(foto ANSA)</figcaption></figure>",
            "it",
        ),
        [("Le barche tornano al porto", "ANSA")],
    ),
    "labelled credit opening the caption before a dash": Case(
        page(
            "<figure><img src='/p/lc.jpg' alt=''><figcaption>Archivfoto: Max Muster - Die "
            "Boote kehren am Morgen in den Hafen zurück.</figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen in den Hafen zurück.", "Max Muster")],
    ),
    "credits after a bar stay credits": Case(
        page(
            "<figure><img src='/p/cb.jpg' alt=''><figcaption>Die Boote kehren am Morgen "
            "zurück. <span>Foto: Max Muster | Lizenz: CC BY 4.0</span></figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen zurück.", "Max Muster, Lizenz: CC BY 4.0")],
    ),
    "dutch foto and agency without a colon": Case(
        page(
            "<figure><img src='/p/nl.jpg' alt=''><figcaption>Boten keren terug naar de haven."
            " Foto ANP</figcaption></figure>",
            "nl",
        ),
        [("Boten keren terug naar de haven.", "ANP")],
    ),
    "english pic label": Case(
        page(
            "<figure><img src='/p/pc.jpg' alt=''><figcaption>Boats return to the quay. Pic: "
            "Jane Roe</figcaption></figure>"
        ),
        [("Boats return to the quay.", "Jane Roe")],
    ),
    "photo word joined to the credit by a slash": Case(
        page(
            "<figure><img src='/p/sl.jpg' alt=''><figcaption>Le barche tornano al porto. "
            "Foto/Ansa</figcaption></figure>",
            "it",
        ),
        [("Le barche tornano al porto.", "Ansa")],
    ),
    "figure inside a link to another story": Case(
        page(
            "<a href='/2026/05/fleet-story'><figure><img src='/p/ts.jpg' alt=''><figcaption>"
            "The fishing fleet gets new boats</figcaption></figure></a>"
        ),
        [],
    ),
    "courtesy photo after the last sentence": Case(
        page(
            "<figure><img src='/p/cp.jpg' alt=''><figcaption>The new harbour master at her "
            "desk. Courtesy photo</figcaption></figure>"
        ),
        [("The new harbour master at her desk.", "Courtesy photo")],
    ),
    "spanish cedida after the last sentence": Case(
        page(
            "<figure><img src='/p/ce.jpg' alt=''><figcaption>La nueva capitana del puerto en "
            "su despacho. Cedida</figcaption></figure>",
            "es",
        ),
        [("La nueva capitana del puerto en su despacho.", "Cedida")],
    ),
    "credit element with a screen-reader label": Case(
        page(
            "<figure><img src='/p/sr.jpg' alt=''><figcaption><span class='caption-text'>Boats "
            "return to the quay at dawn.</span><span class='credit'><span class='visually-"
            "hidden'>Credit...</span>Jane Roe for The Harbour Times</span></figcaption></figure>"
        ),
        [("Boats return to the quay at dawn.", "Jane Roe for The Harbour Times")],
    ),
    "photographer with the agency in brackets after the caption": Case(
        page(
            "<figure><img src='/p/ep.jpg' alt=''><figcaption><span>Barcos regresan al puerto."
            "</span> <span>Juan Pérez (EFE)</span></figcaption></figure>",
            "es",
        ),
        [("Barcos regresan al puerto.", "Juan Pérez (EFE)")],
    ),
    "japanese agency in full-width brackets": Case(
        page(
            "<figure><img src='/p/jr.jpg' alt=''><figcaption>港に戻る漁船（ロイター）</figcaption>"
            "</figure>",
            "ja",
        ),
        [("港に戻る漁船", "ロイター")],
    ),
    "chinese photographed-by in brackets": Case(
        page(
            "<figure><img src='/p/zs.jpg' alt=''><figcaption>港口渔船返回（新华社记者张三摄）"
            "</figcaption></figure>",
            "zh",
        ),
        [("港口渔船返回", "新华社记者张三")],
    ),
    "korean agency after a slash": Case(
        page(
            "<figure><img src='/p/ky.jpg' alt=''><figcaption>항구로 돌아오는 어선들. /연합뉴스"
            "</figcaption></figure>"
        ),
        [("항구로 돌아오는 어선들.", "연합뉴스")],
    ),
    "arabic agency in brackets": Case(
        page(
            "<figure><img src='/p/rt.jpg' alt=''><figcaption>قوارب تعود إلى الميناء (رويترز)"
            "</figcaption></figure>"
        ),
        [("قوارب تعود إلى الميناء", "رويترز")],
    ),
    "greek photo abbreviation in capitals": Case(
        page(
            "<figure><img src='/p/gk.jpg' alt=''><figcaption>Τα σκάφη επιστρέφουν στο λιμάνι "
            "(ΦΩΤΟ: Eurokinissi)</figcaption></figure>"
        ),
        [("Τα σκάφη επιστρέφουν στο λιμάνι", "Eurokinissi")],
    ),
    "copyright label after the caption": Case(
        page(
            "<figure><img src='/p/co.jpg' alt=''><figcaption>Die Boote kehren am Morgen "
            "zurück. Copyright: dpa</figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen zurück.", "dpa")],
    ),
    "copyright sign before a copyright label": Case(
        page(
            "<figure><img src='/p/cs.jpg' alt=''><figcaption>Die Boote kehren am Morgen "
            "zurück. © Copyright: dpa</figcaption></figure>",
            "de",
        ),
        [("Die Boote kehren am Morgen zurück.", "dpa")],
    ),
    "portuguese credito da foto label": Case(
        page(
            "<figure><img src='/p/pt.jpg' alt=''><figcaption>Barcos voltam ao porto. Crédito "
            "da foto: João Silva</figcaption></figure>"
        ),
        [("Barcos voltam ao porto.", "João Silva")],
    ),
    "two labelled credits in a row": Case(
        page(
            "<figure><img src='/p/tw.jpg' alt=''><figcaption>Boats return to the quay. Photo:"
            " Jane Roe. Illustration: John Doe</figcaption></figure>"
        ),
        [("Boats return to the quay.", "Jane Roe, John Doe")],
    ),
    # --- Portraits of writers are no captions ------------------------------------------
    "author portrait figure in an author box": Case(
        page(
            "<div class='author-box'><figure class='author-avatar'><img src='/p/jr.jpg' "
            "alt='Jane Roe'><figcaption>Jane Roe</figcaption></figure><p>Jane Roe covers the"
            " harbour and the fishing fleet.</p></div>"
        ),
        [],
    ),
    "avatar beside a caption-classed byline": Case(
        page(
            "<div class='byline'><img class='avatar' src='/p/av.jpg' alt=''><span "
            "class='caption'>Jane Roe, harbour reporter</span></div>"
        ),
        [],
    ),
    "commenter avatar described by its name": Case(
        page(
            "<div class='comment'><img class='avatar avatar-96' src='/p/gr.jpg' alt='' "
            "aria-describedby='c-1'><cite id='c-1'>Aureliana Rossi</cite><p>A fine piece on "
            "the quay.</p></div>"
        ),
        [],
    ),
    "post marked with its author's name keeps its captions": Case(
        page(
            "<div class='post author-janeroe'><figure><img src='/p/wp.jpg' alt=''><figcaption>"
            "Boats return to the quay at dawn.</figcaption></figure></div>"
        ),
        [("Boats return to the quay at dawn.", None)],
    ),
}


def _found(case: Case) -> tuple[list[tuple[str | None, str | None]], list[str | None]]:
    record = extract(case.html, f"{BASE}/2026/05/harbour-plan")
    captions = record.get("captions") or []
    return [(c["text"], c["credit"]) for c in captions], [c["image_url"] for c in captions]


@pytest.mark.parametrize("name", list(CASES))
def test_caption_markup(name: str) -> None:
    case = CASES[name]
    pairs, urls = _found(case)
    assert pairs == case.captions
    if case.images is not None:
        assert urls[: len(case.images)] == case.images


def test_a_lazy_images_record_carries_its_caption() -> None:
    # The image list and the captions name the image by the same address, so the lazy
    # image's record (not only the caption) gets the caption and the credit.
    html = page(
        "<figure><img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='/p/l.jpg' "
        "alt='Quay'><figcaption>The quay at dawn. Photo: Jane Roe</figcaption></figure>"
    )
    images = extract(html, f"{BASE}/2026/05/harbour-plan")["images"]
    (image,) = [i for i in images if i["url"] == f"{BASE}/p/l.jpg"]
    assert (image["caption"], image["credit"], image["alt"]) == (
        "The quay at dawn.",
        "Jane Roe",
        "Quay",
    )


def test_described_images_read_the_page_ids_once(monkeypatch) -> None:
    # Each image's aria-describedby names an element by id: the ids are read in one walk
    # per page, not searched once per image (3,000 images would walk the page 3,000 times).
    from newsarchive.extraction import captions

    walks = []
    real = captions._WITH_ID
    monkeypatch.setattr(captions, "_WITH_ID", lambda root: walks.append(root) or real(root))
    items = "".join(
        f"<div><img src='/p/{i}.jpg' alt='' aria-describedby='d{i}'><p id='d{i}'>Boat number "
        f"{i} at the quay.</p></div>"
        for i in range(3000)
    )
    found = extract(page(items), f"{BASE}/2026/05/harbour-plan")["captions"]
    assert len(found) == 2000  # captions.MAX_CAPTIONS
    assert found[0]["text"] == "Boat number 0 at the quay."
    assert len(walks) == 1
