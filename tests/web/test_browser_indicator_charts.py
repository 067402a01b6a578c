"""The indicator charts in a real browser: on a desktop their text is read at a size one can read (at
least 11 px, where it was about 6), on a phone too (the narrow chart, at least 12 px, where the wide one
gave about 7), and their months are written as the pages write them."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import Role
from tests.web.conftest import sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def test_the_indicator_charts_text_is_read_at_eleven_pixels_or_more_on_a_desktop(
    live_server: str, chromium: PwBrowser
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="fi-FI")  # type: ignore[arg-type]
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/indicators?date_from=2026-01-01&date_to=2026-06-30&by=month")
    image = page.locator("img.chart").first
    image.scroll_into_view_if_needed()
    shown_width = float(
        image.evaluate("i => i.complete && i.naturalWidth && i.getBoundingClientRect().width")
    )
    drawn = page.request.get(
        str(image.get_attribute("src")).replace("/indicators", f"{live_server}/indicators", 1)
    )
    root = ET.fromstring(drawn.body())
    width = float((root.get("viewBox") or "").split()[2])
    sizes = [
        float(t.get("font-size") or root.get("font-size") or 0)
        for t in root.iter("{http://www.w3.org/2000/svg}text")
    ]
    rendered = min(sizes) * shown_width / width
    assert shown_width > 400 and rendered >= 11, (shown_width, width, min(sizes))
    assert not re.search(r">\d{4}-\d\d<", drawn.text()), "months are written as the pages write them"
    context.close()


PHONE = {"width": 375, "height": 800}


def test_on_a_phone_the_narrow_chart_is_shown_and_its_text_read_at_twelve_pixels_or_more(
    live_server: str, chromium: PwBrowser
) -> None:
    """At 375 px the wide chart would be shown about 307 px wide, its text at about 7 px: the browser
    takes the narrow one, whose text is read at 12 px or more, and none of whose texts run into each
    other or out of it (the months of a year: every other one named)."""
    context = chromium.new_context(viewport=PHONE, locale="fi-FI")  # type: ignore[arg-type]
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    # No placements: the count of starts is a line of zeros over twelve months, drawn as a chart.
    page.goto(f"{live_server}/indicators?date_from=2026-01-01&date_to=2026-12-31")
    image = page.locator('img.chart[src*="wage_subsidised_starts"]')
    image.scroll_into_view_if_needed()
    image.evaluate("i => i.decode()")
    chosen = str(image.evaluate("i => i.currentSrc"))
    assert chosen.endswith("&size=narrow") and "/chart.svg?" in chosen
    natural, shown_width = image.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
    root = ET.fromstring(page.request.get(chosen).body())
    width = float((root.get("viewBox") or "").split()[2])
    sizes = [float(t.get("font-size") or root.get("font-size") or 0) for t in root.iter(f"{SVG}text")]
    assert natural == width == 360
    assert min(sizes) * shown_width / width >= 12, (shown_width, width, min(sizes))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll

    # The chart itself, as the browser lays its texts out in the font it has.
    chart = context.new_page()
    chart.goto(chosen)
    boxes = chart.evaluate(
        """() => [...document.querySelectorAll('text')].map(t => {
            const b = t.getBBox(), r = t.getBoundingClientRect();
            return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height,
                    transform: t.getAttribute('transform') || '',
                    at: [+t.getAttribute('x'), +t.getAttribute('y')],
                    shown: [r.left, r.top, r.right, r.bottom]};
        })"""
    )
    height = float((root.get("viewBox") or "").split()[3])
    for box in boxes:  # every text inside the chart, the title's lines and the slanted months too
        left, top, right, bottom = box["shown"]
        assert left >= 0 and top >= 0 and right <= width and bottom <= height, box
    months = [b for b in boxes if re.fullmatch(r"[a-zäö]+ 2026", b["text"])]
    assert [b["text"] for b in months] == [
        "tammi 2026",
        "maalis 2026",
        "touko 2026",
        "heinä 2026",
        "syys 2026",
        "marras 2026",
    ]
    assert all("rotate(-45" in b["transform"] for b in months)
    # Turned back by 45° about one origin, the slanted labels are upright boxes: none may overlap.
    turned = [_unrotated(b) for b in months]
    for one, other in itertools.pairwise(turned):
        apart = one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1]
        assert apart, (one, other)
    chart.close()
    context.close()


SVG = "{http://www.w3.org/2000/svg}"


def _unrotated(box: dict[str, Any]) -> tuple[float, float, float, float]:
    """A label's box, drawn rotated by -45° about its anchor, in the frame turned back by 45° about the
    origin: its own box moved by where the turn takes its anchor. As (left, top, right, bottom)."""
    ax, ay = box["at"]
    c = math.sqrt(0.5)
    tx, ty = ax * c - ay * c, ax * c + ay * c  # rotate(+45) of the anchor
    return (
        box["x"] - ax + tx,
        box["y"] - ay + ty,
        box["x"] + box["w"] - ax + tx,
        box["y"] + box["h"] - ay + ty,
    )
